from __future__ import annotations

import numpy as np
import pytest

from app.embedding.agreement import min_cosine, passes_gate, positional_agreement, top_k


def unit(rows: list[list[float]]) -> np.ndarray:
    matrix = np.array(rows, dtype=np.float32)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def test_min_cosine_is_the_worst_row() -> None:
    a = unit([[1, 0], [0, 1]])
    b = unit([[1, 0], [1, 1]])
    assert min_cosine(a, b) == pytest.approx(np.sqrt(0.5))


def test_top_k_ranks_documents_best_first() -> None:
    documents = unit([[1, 0], [0, 1], [1, 1]])
    assert top_k(unit([[1, 0.1]]), documents, k=3) == [[0, 2, 1]]


def test_positional_agreement_counts_same_document_same_place() -> None:
    assert positional_agreement([[1, 2, 3], [4, 5, 6]], [[1, 3, 2], [4, 5, 6]]) == 4 / 6
    with pytest.raises(ValueError):
        positional_agreement([], [])


def test_the_gate_refuses_swapped_rankings_even_with_close_vectors() -> None:
    rng = np.random.default_rng(3)
    documents = unit(rng.normal(size=(40, 16)).tolist())
    queries = unit(rng.normal(size=(5, 16)).tolist())
    passed, cosine, agreement = passes_gate((queries, documents), (queries, documents))
    assert (passed, agreement) == (True, 1.0)
    assert cosine == pytest.approx(1.0)
    swapped = documents.copy()
    for query in top_k(queries, documents):
        swapped[[query[0], query[1]]] = swapped[[query[1], query[0]]]
    passed, _, agreement = passes_gate((queries, documents), (queries, swapped))
    assert not passed
    assert agreement < 0.98
