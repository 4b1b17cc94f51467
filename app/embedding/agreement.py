"""How closely two runtimes' vectors agree: the quality gate's two measures (pure functions).

* the lowest cosine between the two vectors of each text;
* top-k match agreement: rank documents by cosine for each query with each runtime's
  vectors, and count the positions 1..k holding the same document in both rankings.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float32]
MIN_COSINE = 0.99
MIN_TOP10_AGREEMENT = 0.98


def min_cosine(a: Matrix, b: Matrix) -> float:
    """The lowest row-wise cosine of two matrices of unit vectors."""
    return float(np.min(np.sum(a * b, axis=1)))


def top_k(queries: Matrix, documents: Matrix, k: int = 10) -> list[list[int]]:
    """For each query, the indices of the ``k`` most similar documents, best first."""
    scores = queries @ documents.T
    return [[int(i) for i in np.argsort(-row, kind="stable")[:k]] for row in scores]


def positional_agreement(want: list[list[int]], got: list[list[int]]) -> float:
    """The share of ranking positions holding the same document in both."""
    pairs = [
        (a, b)
        for wanted, found in zip(want, got, strict=True)
        for a, b in zip(wanted, found, strict=True)
    ]
    if not pairs:
        raise ValueError("no rankings to compare")
    return sum(a == b for a, b in pairs) / len(pairs)


def passes_gate(
    reference: tuple[Matrix, Matrix], candidate: tuple[Matrix, Matrix]
) -> tuple[bool, float, float]:
    """(passes, lowest cosine, top-10 agreement) of (queries, documents) vector pairs."""
    cosine = min(min_cosine(reference[0], candidate[0]), min_cosine(reference[1], candidate[1]))
    agreement = positional_agreement(top_k(*reference), top_k(*candidate))
    return cosine >= MIN_COSINE and agreement >= MIN_TOP10_AGREEMENT, cosine, agreement
