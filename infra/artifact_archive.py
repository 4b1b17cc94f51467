"""Deterministic tar.gz of the app: same sources, same bytes, same S3 key."""

from __future__ import annotations

import gzip
import hashlib
import io
import tarfile
from dataclasses import dataclass
from pathlib import Path

EXCLUDED_PARTS = {"__pycache__", ".pytest_cache", ".mypy_cache", "tests"}
EXCLUDED_SUFFIXES = {".pyc", ".pyo", ".db", ".sqlite3"}
BUILD_DIR = Path(".gm-infra") / "build"


@dataclass(frozen=True)
class Archive:
    path: Path
    sha256: str


def app_files(repo_root: Path) -> list[Path]:
    """The files shipped to instances: the app package and the project metadata."""
    files = [p for p in (repo_root / "app").rglob("*") if p.is_file()]
    files = [
        p
        for p in files
        if not EXCLUDED_PARTS.intersection(p.relative_to(repo_root).parts)
        and p.suffix not in EXCLUDED_SUFFIXES
    ]
    pyproject = repo_root / "pyproject.toml"
    if pyproject.exists():
        files.append(pyproject)
    return sorted(files, key=lambda p: p.relative_to(repo_root).as_posix())


def archive_bytes(repo_root: Path) -> bytes:
    """A tar.gz with sorted entries, zeroed times and owners: reproducible."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in app_files(repo_root):
            info = tarfile.TarInfo(path.relative_to(repo_root).as_posix())
            data = path.read_bytes()
            info.size = len(data)
            info.mtime = 0
            info.mode = 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue(), compresslevel=9, mtime=0)


def build_app_archive(repo_root: Path) -> Archive:
    """Write the archive under ``.gm-infra/build`` (once per content) and return it."""
    data = archive_bytes(repo_root)
    sha = hashlib.sha256(data).hexdigest()
    out_dir = repo_root / BUILD_DIR
    path = out_dir / f"app-{sha[:16]}.tar.gz"
    if not path.exists():
        out_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    return Archive(path=path, sha256=sha)
