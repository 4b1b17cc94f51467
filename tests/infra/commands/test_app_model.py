from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.embedding import mpnet_parts
from app.embedding.mpnet_parts import WEIGHTS, PartsMissing, part_paths
from cli import app as root
from cli import app_model


def parts_installed() -> bool:
    try:
        part_paths()
    except PartsMissing:
        return False
    return True


def test_missing_parts_are_named_with_the_install_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GM_MODEL_DIR", str(tmp_path))
    monkeypatch.setattr(mpnet_parts, "PART_DISTRIBUTIONS", ("no-such-model-part-001",))
    result = CliRunner().invoke(root, ["app", "model", "prepare", "--format", "json"])
    assert result.exit_code == 2, result.output
    assert "no-such-model-part-001" in result.output
    assert "requirements-mpnet.txt" in result.output
    assert "Traceback" not in result.output


def test_a_tampered_stored_model_is_refused_naming_both_hashes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "all-mpnet-base-v2"
    folder.mkdir()
    (folder / "model.safetensors").write_bytes(b"tampered weights")
    monkeypatch.setenv("GM_MODEL_DIR", str(tmp_path))
    result = CliRunner().invoke(root, ["app", "model", "prepare"])
    assert result.exit_code == 1, result.output
    flat = " ".join(result.output.split())
    assert WEIGHTS.sha256 in flat
    assert hashlib.sha256(b"tampered weights").hexdigest() in flat
    assert "Traceback" not in result.output


def test_without_the_ai_extra_it_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_model, "AI_MODULES", ("no_such_module_for_the_test",))
    result = CliRunner().invoke(root, ["app", "model", "prepare"])
    assert result.exit_code == 2
    assert "pip install 'green-matchers-infra[ai]'" in result.output


@pytest.mark.model
@pytest.mark.skipif(not parts_installed(), reason="the all-mpnet-base-v2 parts are not installed")
def test_prepare_reports_the_verified_model_and_its_runtime_files() -> None:
    """Quick once prepared (scripts/setup.sh prepares); about a minute on a fresh venv."""
    result = CliRunner().invoke(root, ["app", "model", "prepare", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output.strip().splitlines()[-1])
    assert report["dim"] == 768
    assert report["sha256"] == WEIGHTS.sha256
    assert Path(report["weights"]).stat().st_size == WEIGHTS.size
    assert report["precision"] in ("int8", "fp32")
    assert report["onnx_model"] in report["runtime_files"]
    assert all(Path(path).is_file() for path in report["runtime_files"])
