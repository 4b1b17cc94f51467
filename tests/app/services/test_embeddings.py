from __future__ import annotations

from pathlib import Path

import pytest

from app.core.settings import MPNET_MODEL, PRODUCTION_MODEL
from app.embedding import mpnet_parts
from app.services import embeddings
from app.services.embeddings import ModelUnavailable, get_embedder, runtime_from_env


def test_the_production_model_is_the_seeds_mpnet() -> None:
    assert PRODUCTION_MODEL == MPNET_MODEL == "bundled:all-mpnet-base-v2"


@pytest.mark.parametrize(("raw", "runtime"), [("", "onnx"), ("onnx", "onnx"), (" Torch ", "torch")])
def test_runtime_comes_from_embedding_runtime(
    monkeypatch: pytest.MonkeyPatch, raw: str, runtime: str
) -> None:
    monkeypatch.setenv("EMBEDDING_RUNTIME", raw)
    assert runtime_from_env() == runtime


def test_an_unknown_runtime_is_refused_naming_the_allowed_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("EMBEDDING_RUNTIME", "tensorrt")
    with pytest.raises(ModelUnavailable, match="'tensorrt' is not allowed: one of onnx, torch"):
        get_embedder(MPNET_MODEL)


def test_mpnet_without_its_parts_is_unavailable_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(embeddings, "_models", {})
    monkeypatch.setenv("GM_MODEL_DIR", str(tmp_path))
    monkeypatch.setattr(mpnet_parts, "PART_DISTRIBUTIONS", ("no-such-model-part-001",))
    with pytest.raises(ModelUnavailable, match=r"requirements-mpnet\.txt"):
        get_embedder(MPNET_MODEL, "onnx")
    assert embeddings._models == {}  # a failure is not cached: a later call tries again
