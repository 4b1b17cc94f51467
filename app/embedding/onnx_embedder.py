"""Sentence embeddings with ONNX Runtime: the transformer in ONNX, tokenisation by the
``tokenizers`` library from the model folder's tokenizer.json, and sentence-transformers'
mean pooling plus L2 normalisation in numpy (``pool_and_normalise``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

MAX_TOKENS = 384  # sentence_bert_config.json's max_seq_length
BATCH_SIZE = 32
Matrix = npt.NDArray[np.float32]


def pool_and_normalise(hidden: npt.NDArray[Any], attention_mask: npt.NDArray[Any]) -> Matrix:
    """Mean of the token vectors the mask keeps, scaled to unit length (one row per text)."""
    mask = attention_mask[..., None].astype(np.float32)
    summed = (hidden.astype(np.float32) * mask).sum(axis=1)
    mean = summed / np.clip(mask.sum(axis=1), 1e-9, None)
    norms = np.linalg.norm(mean, axis=1, keepdims=True)
    return np.ascontiguousarray(mean / np.clip(norms, 1e-12, None), dtype=np.float32)


def default_threads() -> int:
    """Intra-op threads: ``GM_ONNX_THREADS``, else every core this process may use."""
    configured = os.environ.get("GM_ONNX_THREADS", "").strip()
    if configured:
        if not configured.isdigit() or int(configured) < 1:
            raise ValueError(f"GM_ONNX_THREADS={configured!r} is not allowed: a whole number >= 1")
        return int(configured)
    return max(1, len(os.sched_getaffinity(0)))


class OnnxEncoder:
    """Texts -> normalised float32 vectors with one ONNX Runtime session (thread-safe)."""

    def __init__(self, onnx_path: Path, model_dir: Path, threads: int | None = None) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or default_threads()
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Idle intra-op threads sleep instead of spinning: on a small shared machine a
        # spinning worker takes the core that the event loop, the other requests' threads
        # and other processes need (measured on 2 cores under load: p50 and p95 both lower).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(
            str(onnx_path), options, providers=["CPUExecutionProvider"]
        )
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        pad_id = self.tokenizer.token_to_id("<pad>")
        self.tokenizer.enable_padding(pad_id=1 if pad_id is None else pad_id, pad_token="<pad>")
        self.dim = int(self.session.get_outputs()[0].shape[-1])

    def encode(self, texts: list[str]) -> Matrix:
        """One row per text, in order; batches of similar lengths to pad little."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), BATCH_SIZE):
            chunk = order[start : start + BATCH_SIZE]
            out[chunk] = self._encode_batch([texts[i] for i in chunk])
        return out

    def _encode_batch(self, texts: list[str]) -> Matrix:
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        (hidden,) = self.session.run(None, {"input_ids": ids, "attention_mask": mask})
        return pool_and_normalise(hidden, mask)
