"""The quality gate of the fast path (ONNX Runtime) against torch, on the real model.

Marked ``model``: it loads all-mpnet-base-v2 twice (torch and ONNX, once each for the
module) and takes about 30-60 s; the first run on a fresh venv also prepares the model
(about a minute more). Held-out texts: ``data/heldout_green_jobs.json``.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from app.core.settings import MPNET_MODEL
from app.embedding.agreement import (
    MIN_COSINE,
    MIN_TOP10_AGREEMENT,
    positional_agreement,
    top_k,
)
from app.embedding.mpnet_parts import PartsMissing, part_paths
from app.services.embeddings import Embedder, get_embedder

HELD_OUT = json.loads((Path(__file__).parent / "data" / "heldout_green_jobs.json").read_text())
JOBS: list[str] = HELD_OUT["jobs"]
QUERIES: list[str] = HELD_OUT["queries"]


def missing_requirement() -> str | None:
    for module in ("onnxruntime", "sentence_transformers", "tokenizers"):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not installed (the 'ai' extra)"
    try:
        part_paths()
    except PartsMissing as error:
        return str(error)
    return None


pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(missing_requirement() is not None, reason=str(missing_requirement())),
]


@pytest.fixture(scope="module")
def torch_embedder() -> Embedder:
    return get_embedder(MPNET_MODEL, "torch")


@pytest.fixture(scope="module")
def fast_embedder() -> Embedder:
    return get_embedder(MPNET_MODEL, "onnx")


def test_both_runtimes_give_768_unit_vectors(
    torch_embedder: Embedder, fast_embedder: Embedder
) -> None:
    assert torch_embedder.runtime == "torch"
    assert fast_embedder.runtime.startswith("onnx-")
    for embedder in (torch_embedder, fast_embedder):
        assert embedder.dim == 768
        vector = embedder.encode_one("Solar panel installer")
        assert vector.shape == (768,)
        assert vector.dtype == np.float32
        assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-3


def test_fast_path_vectors_match_torch_for_every_held_out_text(
    torch_embedder: Embedder, fast_embedder: Embedder
) -> None:
    texts = JOBS + QUERIES
    assert len(JOBS) >= 60
    cosines = np.sum(torch_embedder.encode(texts) * fast_embedder.encode(texts), axis=1)
    worst = int(np.argmin(cosines))
    assert cosines[worst] >= MIN_COSINE, f"cosine {cosines[worst]:.4f} for {texts[worst]!r}"


def test_fast_path_top10_matches_agree_with_torch(
    torch_embedder: Embedder, fast_embedder: Embedder
) -> None:
    want = top_k(torch_embedder.encode(QUERIES), torch_embedder.encode(JOBS))
    got = top_k(fast_embedder.encode(QUERIES), fast_embedder.encode(JOBS))
    assert len(want) == len(QUERIES) >= 15
    agreement = positional_agreement(want, got)
    assert agreement >= MIN_TOP10_AGREEMENT, f"top-10 positions agree on {agreement:.1%}"


def test_the_fast_path_runs_without_importing_torch() -> None:
    """Once prepared, an ONNX process loads neither torch nor sentence-transformers."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from app.services.embeddings import get_embedder\n"
        f"vector = get_embedder({MPNET_MODEL!r}, 'onnx').encode_one('heat pump engineer')\n"
        "print(vector.shape[0], 'torch' in sys.modules, 'sentence_transformers' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[3],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["768", "False", "False"]
