"""SHA-256 checks of large files, and a cheap marker so a verified file is not re-hashed.

The marker records the file's size, inode, mtime and ctime next to the hash it was checked
against: any write, replacement or ``touch`` changes one of them (ctime cannot be set from
user space), so a changed file is hashed again instead of trusted. As with git's index, a
marker written within the file system's timestamp granularity of the file's last change is
not trusted ("racy"): a change in that same clock tick would leave the times unchanged.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

CHUNK_BYTES = 4 * 1024 * 1024
RACY_NS = 20_000_000  # above the kernel's coarse clock tick (1-10 ms)
Progress = Callable[[int, int], None]  # (bytes done, bytes total)


class IntegrityError(RuntimeError):
    """A file is not the one expected (size or SHA-256 differs)."""


@dataclass(frozen=True)
class Expected:
    size: int
    sha256: str


def sha256_of(path: Path, progress: Progress | None = None) -> str:
    """The file's SHA-256 (hex), read in chunks."""
    digest = hashlib.sha256()
    total = path.stat().st_size
    done = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
            done += len(chunk)
            if progress is not None:
                progress(done, total)
    return digest.hexdigest()


def verify_file(path: Path, expected: Expected, progress: Progress | None = None) -> None:
    """IntegrityError naming the expected and the found SHA-256, unless ``path`` matches."""
    if not path.is_file():
        raise IntegrityError(f"{path} is missing (expected SHA-256 {expected.sha256})")
    size = path.stat().st_size
    found = sha256_of(path, progress)
    if size != expected.size or found != expected.sha256:
        raise IntegrityError(
            f"{path} has SHA-256 {found} ({size:,} bytes), expected {expected.sha256} "
            f"({expected.size:,} bytes): refusing to load it"
        )


def marker_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _fingerprint(path: Path, expected: Expected) -> dict[str, int | str]:
    stat = path.stat()
    return {
        "sha256": expected.sha256,
        "size": stat.st_size,
        "inode": stat.st_ino,
        "mtime_ns": stat.st_mtime_ns,
        "ctime_ns": stat.st_ctime_ns,
    }


def is_recorded_verified(path: Path, expected: Expected) -> bool:
    """True when the marker says this very file (unchanged since) matched ``expected``."""
    marker = marker_path(path)
    try:
        recorded = json.loads(marker.read_text())
        if recorded != _fingerprint(path, expected):
            return False
        return bool(marker.stat().st_mtime_ns - recorded["ctime_ns"] > RACY_NS)
    except (OSError, ValueError, KeyError, TypeError):
        return False


def record_verified(path: Path, expected: Expected) -> None:
    marker = marker_path(path)
    temporary = marker.with_name(marker.name + ".tmp")
    temporary.write_text(json.dumps(_fingerprint(path, expected)))
    os.replace(temporary, marker)


def ensure_verified(path: Path, expected: Expected, progress: Progress | None = None) -> bool:
    """Hash ``path`` unless its marker vouches for it; True when it was hashed now."""
    if is_recorded_verified(path, expected):
        return False
    marker_path(path).unlink(missing_ok=True)
    verify_file(path, expected, progress)
    record_verified(path, expected)
    return True
