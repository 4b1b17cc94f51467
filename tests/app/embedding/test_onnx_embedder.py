from __future__ import annotations

import numpy as np

from app.embedding.onnx_embedder import pool_and_normalise


def test_pooling_averages_only_unmasked_tokens_and_normalises() -> None:
    hidden = np.array(
        [
            [[3.0, 0.0], [1.0, 4.0], [100.0, 100.0]],  # last token is padding
            [[0.0, 2.0], [0.0, 2.0], [0.0, 2.0]],
        ],
        dtype=np.float32,
    )
    mask = np.array([[1, 1, 0], [1, 1, 1]])
    pooled = pool_and_normalise(hidden, mask)
    assert pooled.dtype == np.float32
    np.testing.assert_allclose(pooled[0], np.array([2.0, 2.0]) / np.sqrt(8.0), rtol=1e-6)
    np.testing.assert_allclose(pooled[1], [0.0, 1.0], rtol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(pooled, axis=1), [1.0, 1.0], rtol=1e-6)


def test_an_all_zero_vector_stays_finite() -> None:
    pooled = pool_and_normalise(np.zeros((1, 2, 3), dtype=np.float32), np.array([[1, 0]]))
    assert np.isfinite(pooled).all()
