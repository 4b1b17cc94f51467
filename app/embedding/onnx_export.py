"""Export the verified transformer to ONNX (torch.onnx, local weights only) and, where the
quality holds, a dynamically quantised int8 copy (onnxruntime.quantization)."""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

OPSET = 17
INPUTS = ("input_ids", "attention_mask")
OUTPUT = "last_hidden_state"
INT8_BLOCK = 32  # values per quantisation block (128 is a little faster, cosine 0.999)


def export_fp32(model_dir: Path, out: Path) -> None:
    """The transformer (no pooling) as ONNX with dynamic batch and sequence axes."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # prepare prints its own progress
    model = AutoModel.from_pretrained(str(model_dir), local_files_only=True)
    model.eval()

    class LastHidden(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            return self.inner(input_ids=input_ids, attention_mask=attention_mask)[0]

    sample = torch.ones((2, 16), dtype=torch.long)
    axes = {0: "batch", 1: "tokens"}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer warnings about Python-side shape checks
        torch.onnx.export(
            LastHidden(model),
            (sample, sample),
            str(out),
            input_names=list(INPUTS),
            output_names=[OUTPUT],
            dynamic_axes={name: axes for name in (*INPUTS, OUTPUT)},
            opset_version=OPSET,
            dynamo=False,  # the TorchScript exporter needs no onnxscript and traces MPNet
        )


def quantize_int8(fp32: Path, out: Path) -> None:
    """Weight-only int8 (onnxruntime's MatMulNBits, 8 bits, blocks of 32, symmetric).

    The weights of every matrix product become int8; activations stay float and are
    quantised per block of 32 values inside the kernel (accuracy_level 4). The usual dynamic
    quantisation (quantize_dynamic: one scale per activation tensor) loses too much on
    MPNet, whose hidden states carry a few very large values: cosine to torch fell to 0.75.
    """
    import logging

    import onnx
    from onnxruntime.quantization.matmul_nbits_quantizer import (
        DefaultWeightOnlyQuantConfig,
        MatMulNBitsQuantizer,
    )

    config = DefaultWeightOnlyQuantConfig(
        bits=8, block_size=INT8_BLOCK, is_symmetric=True, accuracy_level=4
    )
    quantizer_log = logging.getLogger("onnxruntime.quantization.matmul_nbits_quantizer")
    level = quantizer_log.level
    quantizer_log.setLevel(logging.WARNING)  # it logs every node it visits at INFO
    try:
        quantizer = MatMulNBitsQuantizer(onnx.load(str(fp32)), algo_config=config)
        quantizer.process()
        quantizer.model.save_model_to_file(str(out), False)
    finally:
        quantizer_log.setLevel(level)
