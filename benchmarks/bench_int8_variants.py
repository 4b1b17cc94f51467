"""Dynamic int8 variants of all-mpnet-base-v2 against the float32 ONNX copy, in one run.

Issue 23 item 6: plain dynamic int8 (``quantize_dynamic`` over every op) gave cosine 0.75
to float32, which points to a defect rather than a limit. This script quantises the
prepared float32 ONNX model several ways and holds each to the quality gate on the tests'
held-out texts (``tests/app/embedding/data/heldout_green_jobs.json``: lowest cosine >= 0.99,
top-10 positional agreement >= 98%), and times each beside float32 in the same run:

* ``dynamic-all``: ``quantize_dynamic`` defaults (every supported op, embeddings included);
* ``weights-matmul``: only the MatMuls with a weight (the attention score and context
  products, activation x activation, stay float32), per-channel, u8 activations x s8
  weights with ``reduce_range`` (7-bit weights: no VPMADDUBSW saturation on AVX2);
* ``weights-matmul-edges-fp32``: as above with the first and last layers kept in float32;
* ``weights-matmul-ffn-out-fp32``: as ``weights-matmul`` with each layer's FFN output
  projection kept in float32 (its input, after GELU, carries MPNet's outlier values, which
  one per-tensor activation scale cannot hold);
* ``nbits8-block32``: weight-only MatMulNBits (what ``onnx_export.quantize_int8`` makes).

A variant would ship only if it passes the gate and is at least 1.3x float32's throughput.

    .venv/bin/python benchmarks/bench_int8_variants.py [--threads 2] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from app.embedding.agreement import MIN_COSINE, MIN_TOP10_AGREEMENT, positional_agreement, top_k
from app.embedding.model_store import models_root
from app.embedding.mpnet_parts import MODEL_FOLDER
from app.embedding.onnx_embedder import OnnxEncoder
from app.embedding.onnx_export import quantize_int8
from app.embedding.onnx_store import onnx_folder

HELD_OUT = Path(__file__).parent.parent / "tests/app/embedding/data/heldout_green_jobs.json"
SPEEDUP_TO_SHIP = 1.3


def weight_matmuls(fp32: Path, skip_layers: tuple[str, ...] = ()) -> list[str]:
    """MatMul nodes whose second input is a weight (an initializer), minus skipped layers."""
    import onnx

    model = onnx.load(str(fp32), load_external_data=False)
    weights = {init.name for init in model.graph.initializer}
    return [
        node.name
        for node in model.graph.node
        if node.op_type == "MatMul"
        and node.input[1] in weights
        and not any(f"/{layer}/" in node.name for layer in skip_layers)
    ]


def dynamic(
    fp32: Path, out: Path, nodes: list[str] | None, per_channel: bool, reduce: bool
) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        str(fp32),
        str(out),
        weight_type=QuantType.QInt8,
        per_channel=per_channel,
        reduce_range=reduce,
        op_types_to_quantize=["MatMul"] if nodes is not None else None,
        nodes_to_quantize=nodes,
    )


def measure(encoder: OnnxEncoder, texts: list[str], repeat: int) -> float:
    """Best texts/s over ``repeat`` runs of encoding every text."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        encoder.encode(texts)
        best = min(best, time.perf_counter() - start)
    return len(texts) / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    root = models_root()
    model_dir = root / MODEL_FOLDER
    folder = onnx_folder(root)
    fp32 = folder / "model-fp32.onnx"
    if not fp32.is_file():
        raise SystemExit(f"{fp32} is missing: run `gm-infra app model prepare` first")
    held = json.loads(HELD_OUT.read_text())
    jobs, queries = held["jobs"], held["queries"]
    texts = jobs + queries

    reference = OnnxEncoder(fp32, model_dir, threads=args.threads)
    ref_jobs, ref_queries = reference.encode(jobs), reference.encode(queries)
    want = top_k(ref_queries, ref_jobs)
    base_rate = measure(reference, texts, args.repeat)

    variants: dict[str, Callable[[Path], None]] = {
        "dynamic-all": lambda out: dynamic(fp32, out, None, False, False),
        "weights-matmul": lambda out: dynamic(fp32, out, weight_matmuls(fp32), True, True),
        "weights-matmul-edges-fp32": lambda out: dynamic(
            fp32, out, weight_matmuls(fp32, ("layer.0", "layer.11")), True, True
        ),
        "weights-matmul-ffn-out-fp32": lambda out: dynamic(
            fp32, out, [n for n in weight_matmuls(fp32) if "/output/dense/" not in n], True, True
        ),
        "nbits8-block32": lambda out: quantize_int8(fp32, out),
    }
    print(f"held-out texts: {len(jobs)} jobs, {len(queries)} queries; threads {args.threads}")
    print(f"{'variant':28} {'min cos':>8} {'top10':>7} {'texts/s':>8} {'vs fp32':>8}  verdict")
    print(f"{'fp32 (baseline)':28} {1.0:8.4f} {1.0:7.1%} {base_rate:8.1f} {1.0:7.2f}x")
    with tempfile.TemporaryDirectory() as tmp:
        for name, make in variants.items():
            out = Path(tmp) / f"{name}.onnx"
            make(out)
            encoder = OnnxEncoder(out, model_dir, threads=args.threads)
            got_jobs, got_queries = encoder.encode(jobs), encoder.encode(queries)
            cosine = float(
                min(
                    np.min(np.sum(ref_jobs * got_jobs, axis=1)),
                    np.min(np.sum(ref_queries * got_queries, axis=1)),
                )
            )
            agreement = positional_agreement(want, top_k(got_queries, got_jobs))
            rate = measure(encoder, texts, args.repeat)
            speedup = rate / base_rate
            gate = cosine >= MIN_COSINE and agreement >= MIN_TOP10_AGREEMENT
            verdict = (
                "ship"
                if gate and speedup >= SPEEDUP_TO_SHIP
                else "gate ok, too slow"
                if gate
                else "fails the gate"
            )
            print(
                f"{name:28} {cosine:8.4f} {agreement:7.1%} {rate:8.1f} {speedup:7.2f}x  {verdict}"
            )
            out.unlink()


if __name__ == "__main__":
    main()
