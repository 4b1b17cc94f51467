"""Embedding speed of all-mpnet-base-v2: torch (the baseline) against the fast path (ONNX
Runtime), side by side in one run, on this machine's CPU.

Model part (``bench_model``): embeddings/s and latency (p50, p95) for single texts and for
batches of 8 and 32, each runtime loaded once through ``get_embedder`` exactly as the app
loads it. Runtimes take turns text by text, so background load hits both alike.

HTTP part (``bench_http``): the AI service (``create_app(service="ai")``) under 1, 8 and 32
concurrent clients sending ``POST /api/ai/embed`` with one text, per runtime; both services
run side by side and take turns in halves of each level (torch, fast, fast, torch). It runs only
where the app factory takes ``service`` (the AI service is built in another branch);
otherwise it says so and the model part stands alone.

Stack part (``bench_ai_stack``): ``POST /api/match`` through nginx under 1 and 8 clients,
``gm-infra app stack --phase 4`` (services apart) against ``--phase 2`` (the monolith: two
whole-app processes), and the RSS of every process of each stack.

Run: .venv/bin/python benchmarks/bench_ai.py [--rounds 60] [--seconds 10]
     [--skip-http] [--skip-stack] [--state-root .gm/bench] [--json]
Goal (issue 12): the fast path >= 3x torch's single-query rate, p95 <= 150 ms.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_ai_stack import LEVEL_STRIDE, bench_stacks, free_port, load, print_stacks

from app.core.settings import MPNET_MODEL
from app.services.embeddings import Embedder, get_embedder

RUNTIMES = ("torch", "onnx")
HALF_STRIDE = 100_000  # query offsets per half of a load level (far more than it sends)
ROLES = (
    "solar installer", "wind turbine technician", "carbon accountant", "hydrologist",
    "heat pump engineer", "recycling supervisor", "agroforestry officer", "ESG analyst",
    "EV charger technician", "energy auditor", "peatland ranger", "grid engineer",
)  # fmt: skip
PLACES = ("in Nairobi", "in Leeds", "remote", "in Lyon", "in Pune", "near the coast")
DETAILS = (
    "",
    " with 3 years of field experience",
    ": install, commission and maintain systems for homes and small businesses",
    ". We are a cooperative measuring and cutting emissions across East Africa; "
    "you will work with farmers, engineers and local councils on long-term projects",
)


def texts(count: int, offset: int = 0) -> list[str]:
    """Distinct job-board texts of varied length (no cache can answer them)."""
    out = []
    for i in range(offset, offset + count):
        role = ROLES[i % len(ROLES)]
        place = PLACES[(i // len(ROLES)) % len(PLACES)]
        out.append(f"{role} {place}{DETAILS[i % len(DETAILS)]} (#{i})")
    return out


def summarise(latencies: list[float], per_call: int) -> dict[str, float]:
    ms = np.array(latencies) * 1000
    return {
        "embeddings_per_s": round(per_call * len(ms) / (ms.sum() / 1000), 1),
        "p50_ms": round(float(np.percentile(ms, 50)), 1),
        "p95_ms": round(float(np.percentile(ms, 95)), 1),
    }


def bench_model(rounds: int) -> dict[str, Any]:
    embedders: dict[str, Embedder] = {}
    loads: dict[str, float] = {}
    for runtime in RUNTIMES:
        started = time.perf_counter()
        embedders[runtime] = get_embedder(MPNET_MODEL, runtime)  # type: ignore[arg-type]
        loads[runtime] = round(time.perf_counter() - started, 2)
        embedders[runtime].encode(texts(8, offset=10_000))  # warm-up
    results: dict[str, Any] = {"load_s": loads, "runtime": {}}
    for label, size, count in (("single", 1, rounds), ("batch 8", 8, rounds // 4 or 1),
                               ("batch 32", 32, rounds // 8 or 1)):  # fmt: skip
        times: dict[str, list[float]] = {runtime: [] for runtime in RUNTIMES}
        for index in range(count):
            batch = texts(size, offset=index * size)
            for runtime in RUNTIMES:
                started = time.perf_counter()
                embedders[runtime].encode(batch)
                times[runtime].append(time.perf_counter() - started)
        results[label] = {runtime: summarise(times[runtime], size) for runtime in RUNTIMES}
    results["runtime"] = {runtime: embedders[runtime].runtime for runtime in RUNTIMES}
    torch_rate = results["single"]["torch"]["embeddings_per_s"]
    results["single_query_speedup"] = round(
        results["single"]["onnx"]["embeddings_per_s"] / torch_rate, 2
    )
    return results


def ai_service_exists() -> bool:
    try:
        from app.main import create_app
    except ImportError:
        return False
    return "service" in inspect.signature(create_app).parameters


def start_service(runtime: str) -> tuple[subprocess.Popen[bytes], str]:
    """The AI service on ``runtime`` in its own process; its /api/ai/embed URL."""
    port = free_port()
    env = {**os.environ, "EMBEDDING_RUNTIME": runtime, "EMBEDDING_MODEL": MPNET_MODEL}
    code = (
        "import uvicorn\nfrom app.main import create_app\n"
        f"uvicorn.run(create_app(service='ai'), host='127.0.0.1', port={port}, "
        "log_level='warning')\n"
    )
    server = subprocess.Popen([sys.executable, "-c", code], env=env)
    return server, f"http://127.0.0.1:{port}/api/ai/embed"


def wait_ready(server: subprocess.Popen[bytes], url: str, runtime: str) -> None:
    import httpx

    deadline = time.monotonic() + 300
    while True:
        try:
            if httpx.post(url, json={"texts": ["warm-up"]}, timeout=60).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            raise RuntimeError(f"the AI service ({runtime}) did not start")
        time.sleep(0.5)


def bench_http(seconds: float) -> dict[str, Any]:
    """The AI service over HTTP: 1, 8 and 32 concurrent clients, per runtime.

    Both services run side by side (one idles while the other is measured) and each level
    runs in halves, torch, fast, fast, torch: background load that drifts during a level
    hits both runtimes alike, as in the model part."""
    if not ai_service_exists():
        return {"skipped": "app.main.create_app(service='ai') is not in this branch"}
    servers: dict[str, tuple[subprocess.Popen[bytes], str]] = {}
    try:
        for runtime in RUNTIMES:
            servers[runtime] = start_service(runtime)
        for runtime, (server, url) in servers.items():
            wait_ready(server, url, runtime)
        results: dict[str, Any] = {runtime: {} for runtime in RUNTIMES}
        for level, clients in enumerate((1, 8, 32), start=1):
            halves: dict[str, list[dict[str, Any]]] = {runtime: [] for runtime in RUNTIMES}
            for half, runtime in enumerate((*RUNTIMES, *reversed(RUNTIMES))):
                url = servers[runtime][1]
                halves[runtime].append(load_test(url, clients, seconds / 2, level, half))
            for runtime in RUNTIMES:
                results[runtime][str(clients)] = combine(halves[runtime])
    finally:
        for server, _ in servers.values():
            server.terminate()
        for server, _ in servers.values():
            server.wait(timeout=30)
    return results


def load_test(url: str, clients: int, seconds: float, level: int, half: int) -> dict[str, Any]:
    """One text per request; each level and half starts at its own offset (no repeats)."""
    start = level * LEVEL_STRIDE + half * HALF_STRIDE
    row = load(url, lambda i: {"texts": texts(1, offset=i)}, clients, seconds, start)
    return {"embeddings_per_s": row.pop("per_s"), **row}


def combine(halves: list[dict[str, Any]]) -> dict[str, Any]:
    """Two equally long halves as one row: the rate is their mean; p50 and p95 are the
    means of theirs (close to the pooled percentiles when the halves are alike)."""
    statuses: dict[str, int] = {}
    for row in halves:
        for status, count in row["other_statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
    return {
        **{
            key: round(sum(row[key] for row in halves) / len(halves), 1)
            for key in ("embeddings_per_s", "p50_ms", "p95_ms")
        },
        "requests": sum(row["requests"] for row in halves),
        "non_200": sum(row["non_200"] for row in halves),
        "other_statuses": statuses,
    }


def print_table(model: dict[str, Any], http: dict[str, Any]) -> None:
    print(f"all-mpnet-base-v2 on {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}")
    print(f"runtimes: {model['runtime']}; load seconds: {model['load_s']}")
    print(f"{'':10} {'torch /s':>10} {'p50':>7} {'p95':>7} | {'fast /s':>10} {'p50':>7} {'p95':>7}")
    for label in ("single", "batch 8", "batch 32"):
        row = model[label]
        t, f = row["torch"], row["onnx"]
        print(
            f"{label:10} {t['embeddings_per_s']:>10} {t['p50_ms']:>7} {t['p95_ms']:>7} | "
            f"{f['embeddings_per_s']:>10} {f['p50_ms']:>7} {f['p95_ms']:>7}"
        )
    print(f"single-query speedup of the fast path: {model['single_query_speedup']}x")
    if "skipped" in http:
        print(f"AI service over HTTP: skipped ({http['skipped']})")
        return
    print("\nAI service over HTTP (POST /api/ai/embed, one text a request)")
    head = f"{'/s':>7} {'p50':>7} {'p95':>7} {'!200':>5}"
    print(f"{'clients':>8} | torch {head} | fast  {head}")
    for clients in http["torch"]:
        cells = [
            f"{r['embeddings_per_s']:>7} {r['p50_ms']:>7} {r['p95_ms']:>7} {r['non_200']:>5}"
            for r in (http["torch"][clients], http["onnx"][clients])
        ]
        print(f"{clients:>8} |       {cells[0]} |       {cells[1]}")
    torch_one, fast_one = http["torch"]["1"], http["onnx"]["1"]
    print(
        f"single-client speedup over HTTP: "
        f"{fast_one['embeddings_per_s'] / torch_one['embeddings_per_s']:.2f}x at fast p95 "
        f"{fast_one['p95_ms']} ms (goal: >= 3x at p95 <= 150 ms)"
    )
    for runtime, by_clients in http.items():
        for clients, row in by_clients.items():
            if row["other_statuses"]:
                print(f"  {runtime}, {clients} clients, not 200: {row['other_statuses']}")


def match_query(index: int) -> dict[str, Any]:
    return {"text": texts(1, offset=index)[0], "limit": 10}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=60, help="single texts per runtime")
    parser.add_argument("--seconds", type=float, default=10.0, help="per HTTP load level")
    parser.add_argument("--skip-http", action="store_true", help="no AI service over HTTP")
    parser.add_argument("--skip-stack", action="store_true", help="no /api/match stacks")
    parser.add_argument(
        "--state-root",
        type=Path,
        default=Path(__file__).resolve().parents[1] / ".gm" / "bench",
        help="the stacks' state dirs (phase-4, phase-2), kept between runs",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    model = bench_model(args.rounds)
    http = {"skipped": "--skip-http"} if args.skip_http else bench_http(args.seconds)
    stacks = (
        {"skipped": "--skip-stack"}
        if args.skip_stack
        else bench_stacks(match_query, args.seconds, args.state_root)
    )
    if args.json:
        print(
            json.dumps(
                {"model": model, "http": http, "stacks": stacks, "load_average": os.getloadavg()}
            )
        )
    else:
        print_table(model, http)
        print_stacks(stacks)
        print(f"load average at the end: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")


if __name__ == "__main__":
    main()
