"""Make all-mpnet-base-v2 ready to serve: the verified folder, its ONNX copy, one test vector.

``gm-infra app model prepare`` and ``scripts/setup.sh`` run this ahead of time; the app
does the same steps lazily on first use when nobody did (``app.services.embeddings``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from app.embedding.model_store import StepProgress, ensure_mpnet, models_root
from app.embedding.mpnet_parts import WEIGHTS, WEIGHTS_FILE
from app.embedding.onnx_embedder import OnnxEncoder
from app.embedding.onnx_store import ensure_onnx


@dataclass(frozen=True)
class Prepared:
    model_dir: Path
    dim: int
    weights_sha256: str
    onnx_model: Path
    precision: str
    int8_min_cosine: float | None
    int8_top10_agreement: float | None
    seconds: float


def prepare(root: Path | None = None, progress: StepProgress | None = None) -> Prepared:
    """Join, verify and export (each only when not done before), then embed one text."""
    started = time.monotonic()
    root = root or models_root()
    model_dir = ensure_mpnet(root, progress)
    files = ensure_onnx(model_dir, root, progress)
    vector = OnnxEncoder(files.model, model_dir).encode(["Solar panel installer"])[0]
    if not np.isclose(float(np.linalg.norm(vector)), 1.0, atol=1e-3):
        raise RuntimeError(f"{files.model} gives vectors of length {np.linalg.norm(vector)}")
    return Prepared(
        model_dir=model_dir,
        dim=int(vector.shape[0]),
        weights_sha256=WEIGHTS.sha256,
        onnx_model=files.model,
        precision=files.precision,
        int8_min_cosine=files.int8_min_cosine,
        int8_top10_agreement=files.int8_top10_agreement,
        seconds=round(time.monotonic() - started, 2),
    )


def summary(prepared: Prepared) -> dict[str, Any]:
    return {
        "model_dir": str(prepared.model_dir),
        "weights": str(prepared.model_dir / WEIGHTS_FILE),
        "dim": prepared.dim,
        "sha256": prepared.weights_sha256,
        "runtime_files": [str(p) for p in sorted(prepared.onnx_model.parent.iterdir())],
        "onnx_model": str(prepared.onnx_model),
        "precision": prepared.precision,
        "int8_min_cosine": prepared.int8_min_cosine,
        "int8_top10_agreement": prepared.int8_top10_agreement,
        "seconds": prepared.seconds,
    }
