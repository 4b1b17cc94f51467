from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from app.embedding.integrity import (
    RACY_NS,
    Expected,
    IntegrityError,
    ensure_verified,
    marker_path,
    sha256_of,
    verify_file,
)

DATA = b"weights" * 1000


def expected_for(data: bytes) -> Expected:
    return Expected(size=len(data), sha256=hashlib.sha256(data).hexdigest())


def test_sha256_of_reads_in_chunks_and_reports_progress(tmp_path: Path) -> None:
    path = tmp_path / "w"
    path.write_bytes(DATA)
    seen: list[tuple[int, int]] = []
    assert sha256_of(path, lambda done, total: seen.append((done, total))) == (
        hashlib.sha256(DATA).hexdigest()
    )
    assert seen[-1] == (len(DATA), len(DATA))


def test_a_tampered_file_is_refused_naming_both_hashes(tmp_path: Path) -> None:
    path = tmp_path / "model.safetensors"
    tampered = b"W" + DATA[1:]  # same size, one byte changed
    path.write_bytes(tampered)
    expected = expected_for(DATA)
    with pytest.raises(IntegrityError) as caught:
        verify_file(path, expected)
    message = str(caught.value)
    assert expected.sha256 in message
    assert hashlib.sha256(tampered).hexdigest() in message
    assert "refusing" in message


def test_a_file_of_the_wrong_size_is_refused_naming_both_hashes(tmp_path: Path) -> None:
    path = tmp_path / "model.safetensors"
    path.write_bytes(DATA[:-1])
    expected = expected_for(DATA)
    with pytest.raises(IntegrityError) as caught:
        verify_file(path, expected)
    message = str(caught.value)
    assert f"({len(DATA) - 1:,} bytes), expected {expected.sha256} ({len(DATA):,} bytes)" in message
    assert hashlib.sha256(DATA[:-1]).hexdigest() in message


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(IntegrityError, match="missing"):
        verify_file(tmp_path / "absent", expected_for(DATA))


def test_the_marker_spares_rehashing_until_the_file_changes(tmp_path: Path) -> None:
    path = tmp_path / "model.safetensors"
    path.write_bytes(DATA)
    expected = expected_for(DATA)
    assert ensure_verified(path, expected) is True  # hashed
    assert ensure_verified(path, expected) is True  # hashed again: the marker was racy
    time.sleep(RACY_NS / 1e9 * 2)
    os.utime(path)  # a change after which the marker is not racy any more
    time.sleep(RACY_NS / 1e9 * 2)
    assert ensure_verified(path, expected) is True
    assert marker_path(path).is_file()
    assert ensure_verified(path, expected) is False  # trusted from the marker
    # Same size, mtime put back: ctime still moves, so the change is noticed.
    stat = path.stat()
    path.write_bytes(b"W" + DATA[1:])
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    with pytest.raises(IntegrityError):
        ensure_verified(path, expected)
    assert not marker_path(path).exists()


def test_a_marker_for_another_hash_does_not_vouch(tmp_path: Path) -> None:
    path = tmp_path / "model.safetensors"
    path.write_bytes(DATA)
    ensure_verified(path, expected_for(DATA))
    other = Expected(size=len(DATA), sha256="0" * 64)
    with pytest.raises(IntegrityError, match="0" * 64):
        ensure_verified(path, other)
