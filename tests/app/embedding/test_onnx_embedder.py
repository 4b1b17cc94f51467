from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.embedding.onnx_embedder import OnnxEncoder, pool_and_normalise


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


def tiny_model(folder: Path) -> Path:
    """A three-word tokenizer and a model whose hidden state is a fixed vector per token."""
    import onnx
    from onnx import TensorProto, helper
    from tokenizers import Tokenizer, models, pre_tokenizers

    tokenizer = Tokenizer(models.WordLevel({"<unk>": 0, "<pad>": 1, "a": 2, "b": 3}, "<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.save(str(folder / "tokenizer.json"))
    table = np.array([[0, 0, 1], [9, 9, 9], [3, 0, 0], [0, 4, 0]], dtype=np.float32)
    graph = helper.make_graph(
        [helper.make_node("Gather", ["table", "input_ids"], ["last_hidden_state"])],
        "tiny",
        [
            helper.make_tensor_value_info(name, TensorProto.INT64, ["batch", "tokens"])
            for name in ("input_ids", "attention_mask")
        ],
        [
            helper.make_tensor_value_info(
                "last_hidden_state", TensorProto.FLOAT, ["batch", "tokens", 3]
            )
        ],
        [helper.make_tensor("table", TensorProto.FLOAT, table.shape, table.flatten().tolist())],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    path = folder / "tiny.onnx"
    onnx.save(model, str(path))
    return path


def test_the_encoder_pools_padded_batches_and_idle_threads_do_not_spin(tmp_path: Path) -> None:
    for module in ("onnx", "onnxruntime", "tokenizers"):
        pytest.importorskip(module)
    encoder = OnnxEncoder(tiny_model(tmp_path), tmp_path, threads=2)
    vectors = encoder.encode(["a b", "b", "a a a b"])  # padded with <pad>: ignored
    expected = np.array([[3, 4, 0], [0, 1, 0], [9, 4, 0]], dtype=np.float32)
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    np.testing.assert_allclose(vectors, expected, atol=1e-6)
    options = encoder.session.get_session_options()
    assert options.intra_op_num_threads == 2
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"
