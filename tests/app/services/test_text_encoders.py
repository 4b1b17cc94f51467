"""local_encoder: the settings choose the model's runtime (one place), not a second reading
of the environment further down."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.settings import MPNET_MODEL, Settings
from app.embedding import mpnet_parts
from app.services import embeddings
from app.services.embeddings import ModelUnavailable
from app.services.text_encoders import local_encoder


def test_the_settings_runtime_is_what_loads_the_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The environment names a runtime get_embedder would refuse on its own reading; the
    # settings (built with an explicit runtime) must be what decides, so the load goes on
    # to the model's parts, which are missing here.
    monkeypatch.setenv("EMBEDDING_RUNTIME", "tensorrt")
    monkeypatch.setattr(embeddings, "_models", {})
    monkeypatch.setenv("GM_MODEL_DIR", str(tmp_path))
    monkeypatch.setattr(mpnet_parts, "PART_DISTRIBUTIONS", ("no-such-model-part-001",))
    for runtime in ("onnx", "torch"):
        settings = Settings(embedding_model=MPNET_MODEL, embedding_runtime=runtime)
        with pytest.raises(ModelUnavailable, match=r"requirements-mpnet\.txt"):
            local_encoder(settings)
    with pytest.raises(ModelUnavailable, match="'tensorrt' is not allowed"):
        embeddings.get_embedder(MPNET_MODEL)  # without the settings: the environment
