"""Match search latency over 50,000 jobs of 768 dimensions (the production model's size).

Compares, on the same vectors and queries, in one run:
  * a per-row Python loop (one dot product per job),
  * exact numpy search (one float32 matrix-vector product),
  * exact numpy search on float16 vectors,
  * faiss IndexFlatIP (exact), faiss IndexScalarQuantizer (int8, exact scan of smaller codes),
  * faiss HNSW (the app's index above EXACT_SEARCH_MAX_ROWS), at two efSearch values,
  * the app's own ``VectorIndex`` (what ``POST /api/match`` calls).
Recall@10 of each is measured against exact float32 search.

The vectors are synthetic (seeded): 400 topic centres plus noise, normalised, which has the
clustered shape of sentence embeddings; 50,000 real job texts cannot be embedded with the
768-dimension model on these machines in reasonable time.

Run: .venv/bin/python benchmarks/bench_app_match.py [--jobs 50000] [--dim 768] [--json]
Goal (issue 3): p95 <= 2 ms with recall@10 >= 0.99.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from app.core.settings import Settings
from app.services.vector_index import VectorIndex, build_hnsw, normalise, top_k

Matrix = npt.NDArray[np.float32]
K = 10


def make_vectors(n: int, dim: int, seed: int = 7) -> tuple[Matrix, Matrix]:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((400, dim)).astype(np.float32)
    rows = centres[rng.integers(0, 400, n)] + 0.7 * rng.standard_normal((n, dim)).astype(np.float32)
    queries = centres[rng.integers(0, 400, 300)] + 0.9 * rng.standard_normal((300, dim)).astype(
        np.float32
    )
    return normalise(rows), normalise(queries)


def measure(
    search: Callable[[Matrix], list[int]], queries: Matrix, truth: list[set[int]]
) -> dict[str, float]:
    times = []
    recall = []
    for q, expected in zip(queries, truth, strict=False):
        started = time.perf_counter()
        found = search(q)
        times.append(time.perf_counter() - started)
        recall.append(len(expected & set(found[:K])) / K)
    ms = np.array(times) * 1000
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 3),
        "p95_ms": round(float(np.percentile(ms, 95)), 3),
        "recall_at_10": round(float(np.mean(recall)), 4),
        "queries": len(times),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=50_000)
    parser.add_argument("--dim", type=int, default=768)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    matrix, queries = make_vectors(args.jobs, args.dim)
    queries = queries[: args.queries]
    truth = [set(top_k(matrix @ q, K).tolist()) for q in queries]
    results: dict[str, dict[str, float]] = {}

    def exact(q: Matrix) -> list[int]:
        return top_k(matrix @ q, K).tolist()

    def loop(q: Matrix) -> list[int]:
        scores = np.empty(matrix.shape[0], dtype=np.float32)
        for i in range(matrix.shape[0]):
            scores[i] = float(np.dot(matrix[i], q))
        return top_k(scores, K).tolist()

    half = matrix.astype(np.float16)

    def exact_f16(q: Matrix) -> list[int]:
        return top_k((half @ q.astype(np.float16)).astype(np.float32), K).tolist()

    results["python_loop_per_row"] = measure(loop, queries[:5], truth)
    results["numpy_exact_f32"] = measure(exact, queries, truth)
    results["numpy_exact_f16"] = measure(exact_f16, queries[:30], truth)

    import faiss

    faiss.omp_set_num_threads(1)  # one request = one core; the other serves other requests
    flat = faiss.IndexFlatIP(args.dim)
    flat.add(matrix)
    results["faiss_flat_ip"] = measure(
        lambda q: flat.search(q.reshape(1, -1), K)[1][0].tolist(), queries, truth
    )
    sq8 = faiss.IndexScalarQuantizer(
        args.dim, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
    )
    sq8.train(matrix)
    sq8.add(matrix)
    results["faiss_sq8_int8_scan"] = measure(
        lambda q: sq8.search(q.reshape(1, -1), K)[1][0].tolist(), queries, truth
    )

    started = time.perf_counter()
    graph = build_hnsw(matrix)
    build_s = time.perf_counter() - started
    assert graph is not None, "faiss-cpu is missing"
    for ef in (64, 128):
        graph.hnsw.efSearch = ef
        results[f"faiss_hnsw_M32_ef{ef}"] = measure(
            lambda q: graph.search(q.reshape(1, -1), K)[1][0].tolist(), queries, truth
        )
    threshold = Settings().exact_search_max_rows
    app_index = VectorIndex.build(
        list(range(args.jobs)), [1 + i % 17 for i in range(args.jobs)], matrix,
        exact_max_rows=threshold,
    )  # fmt: skip
    kind = "hnsw" if app_index.hnsw is not None else "exact"
    results[f"app_vector_index ({kind})"] = measure(
        lambda q: [i for i, _ in app_index.search(q, K)], queries, truth
    )

    if args.json:
        summary = {"jobs": args.jobs, "dim": args.dim, "hnsw_build_s": round(build_s, 1)}
        print(json.dumps({**summary, "results": results}, indent=2))
        return
    print(f"{args.jobs} jobs x {args.dim} dims, top-{K}, single thread")
    print(f"{'method':32} {'p50 ms':>9} {'p95 ms':>9} {'recall@10':>10} {'queries':>8}")
    for name, row in results.items():
        print(
            f"{name:32} {row['p50_ms']:9.3f} {row['p95_ms']:9.3f} "
            f"{row['recall_at_10']:10.4f} {int(row['queries']):8d}"
        )
    print(f"HNSW build (M=32, efConstruction=80, one thread): {build_s:.1f} s")


if __name__ == "__main__":
    main()
