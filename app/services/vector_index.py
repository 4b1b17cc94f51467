"""In-memory nearest-neighbour search over normalised vectors (cosine = inner product).

Up to ``exact_max_rows`` rows the search is exact (one matrix-vector product). Above it,
an HNSW graph (faiss) answers in well under the 2 ms budget with recall@10 >= 0.99
(see ``benchmarks/bench_app_match.py``); without faiss it stays exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128


def normalise(matrix: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(matrix / norms, dtype=np.float32)


def top_k(scores: npt.NDArray[np.float32], k: int) -> npt.NDArray[np.intp]:
    """Indices of the k largest scores, best first."""
    k = min(k, scores.shape[0])
    if k <= 0:
        return np.zeros(0, dtype=np.intp)
    part = np.argpartition(-scores, k - 1)[:k]
    return part[np.argsort(-scores[part], kind="stable")]


def build_hnsw(matrix: npt.NDArray[np.float32], ef_search: int = HNSW_EF_SEARCH) -> Any | None:
    try:
        import faiss
    except ImportError:
        return None
    index = faiss.IndexHNSWFlat(matrix.shape[1], HNSW_M, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    index.hnsw.efSearch = ef_search
    index.add(matrix)
    return index


@dataclass
class VectorIndex:
    ids: npt.NDArray[np.int64]
    tags: npt.NDArray[np.int16]
    matrix: npt.NDArray[np.float32]  # rows normalised
    exact_max_rows: int = 20_000
    hnsw: Any | None = field(default=None, repr=False)

    @classmethod
    def build(
        cls,
        ids: list[int],
        tags: list[int],
        vectors: npt.NDArray[np.float32],
        *,
        exact_max_rows: int = 20_000,
    ) -> VectorIndex:
        matrix = normalise(vectors) if len(ids) else np.zeros((0, 1), dtype=np.float32)
        index = cls(
            ids=np.asarray(ids, dtype=np.int64),
            tags=np.asarray(tags, dtype=np.int16),
            matrix=matrix,
            exact_max_rows=exact_max_rows,
        )
        if len(ids) > exact_max_rows:
            index.hnsw = build_hnsw(matrix)
        return index

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    @property
    def dim(self) -> int:
        return int(self.matrix.shape[1])

    def search(
        self, query: npt.NDArray[np.float32], k: int, sdg_tag: int | None = None
    ) -> list[tuple[int, float]]:
        """``[(id, cosine score)]``, best first."""
        if len(self) == 0 or k <= 0:
            return []
        q = np.asarray(query, dtype=np.float32)
        q = q / (float(np.linalg.norm(q)) or 1.0)
        if sdg_tag is not None:
            rows = np.flatnonzero(self.tags == sdg_tag)
            scores = self.matrix[rows] @ q
            best = top_k(scores, k)
            return [(int(self.ids[rows[i]]), float(scores[i])) for i in best]
        if self.hnsw is not None:
            distances, labels = self.hnsw.search(q.reshape(1, -1), k)
            return [
                (int(self.ids[i]), float(d))
                for i, d in zip(labels[0], distances[0], strict=True)
                if i >= 0
            ]
        scores = self.matrix @ q
        return [(int(self.ids[i]), float(scores[i])) for i in top_k(scores, k)]
