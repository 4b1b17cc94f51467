from __future__ import annotations

import importlib.metadata
import zipfile
from pathlib import Path

import pytest

from app.embedding import mpnet_parts
from app.embedding.mpnet_parts import (
    JoinedParts,
    PartsMissing,
    UnsafeArchive,
    extract_model,
    member_target,
    part_paths,
)
from tests.app.embedding.fake_parts import FILES, split_zip


def test_joined_parts_read_and_seek_like_one_file(tmp_path: Path) -> None:
    pieces = [tmp_path / "a", tmp_path / "b", tmp_path / "c"]
    for piece, data in zip(pieces, (b"0123", b"", b"456789"), strict=True):
        piece.write_bytes(data)
    with JoinedParts(pieces) as joined:
        assert joined.size == 10
        assert joined.read() == b"0123456789"
        joined.seek(2)
        assert joined.read(5) == b"23456"  # across the empty piece
        joined.seek(-3, 2)
        assert joined.read() == b"789"
        assert joined.read(4) == b""


def test_extract_joins_the_pieces_and_skips_desktop_ini(tmp_path: Path) -> None:
    pieces = split_zip(tmp_path / "parts", FILES, pieces=4)
    out = tmp_path / "out"
    out.mkdir()
    seen: list[tuple[int, int]] = []
    extract_model(pieces, out, lambda done, total: seen.append((done, total)))
    extracted = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert extracted == ["1_Pooling/config.json", "config.json", "model.safetensors"]
    assert (out / "model.safetensors").read_bytes() == FILES["all-mpnet-base-v2/model.safetensors"]
    assert seen[-1][0] == seen[-1][1]


@pytest.mark.parametrize(
    "name",
    ["../evil", "/etc/passwd", "all-mpnet-base-v2/../../evil", "other-model/config.json"],
)
def test_entries_outside_the_model_folder_make_the_archive_untrusted(name: str) -> None:
    with pytest.raises(UnsafeArchive):
        member_target(name)


def test_an_unsafe_entry_stops_extraction(tmp_path: Path) -> None:
    pieces = split_zip(tmp_path / "parts", {**FILES, "all-mpnet-base-v2/../x": b"x"})
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(UnsafeArchive, match=r"\.\./x"):
        extract_model(pieces, out)
    assert not (tmp_path / "x").exists()


def test_a_missing_part_package_is_named_with_the_install_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        mpnet_parts, "PART_DISTRIBUTIONS", ("no-such-model-part-001", "no-such-model-part-002")
    )
    with pytest.raises(PartsMissing) as caught:
        part_paths()
    assert "no-such-model-part-001, no-such-model-part-002" in str(caught.value)
    assert "requirements-mpnet.txt" in str(caught.value)


def installed() -> bool:
    try:
        for name in mpnet_parts.PART_DISTRIBUTIONS:
            importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


@pytest.mark.skipif(not installed(), reason="the all-mpnet-base-v2 parts are not installed")
def test_the_installed_parts_form_the_model_zip() -> None:
    paths = part_paths()
    assert [p.name for p in paths] == [f"all-mpnet-base-v2.zip.{i:03d}" for i in range(1, 6)]
    with JoinedParts(paths) as joined, zipfile.ZipFile(joined) as archive:
        weights = archive.getinfo("all-mpnet-base-v2/model.safetensors")
        assert weights.file_size == mpnet_parts.WEIGHTS.size
        assert "all-mpnet-base-v2/tokenizer.json" in archive.namelist()
