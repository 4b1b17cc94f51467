"""Embedding speed of all-mpnet-base-v2: torch (the baseline) against the fast path (ONNX
Runtime), side by side in one run, on this machine's CPU.

Model part (``bench_model``): embeddings/s and latency (p50, p95) for single texts and for
batches of 8 and 32, each runtime loaded once through ``get_embedder`` exactly as the app
loads it. Runtimes take turns text by text, so background load hits both alike.

HTTP part (``bench_http``): the AI service (``create_app(service="ai")``) under 1, 8 and 32
concurrent clients sending ``POST /api/ai/embed`` with one text, per runtime. It runs only
where the app factory takes ``service`` (the AI service is built in another branch);
otherwise it says so and the model part stands alone.

Run: .venv/bin/python benchmarks/bench_ai.py [--rounds 60] [--seconds 10] [--json]
Goal (issue 12): the fast path >= 3x torch's single-query rate, p95 <= 150 ms.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.core.settings import MPNET_MODEL
from app.services.embeddings import Embedder, get_embedder

RUNTIMES = ("torch", "onnx")
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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def bench_http(seconds: float) -> dict[str, Any]:
    """The AI service over HTTP: 1, 8 and 32 concurrent clients, per runtime."""
    if not ai_service_exists():
        return {"skipped": "app.main.create_app(service='ai') is not in this branch"}
    import httpx

    results: dict[str, Any] = {}
    for runtime in RUNTIMES:
        port = free_port()
        env = {**os.environ, "EMBEDDING_RUNTIME": runtime, "EMBEDDING_MODEL": MPNET_MODEL}
        code = (
            "import uvicorn\nfrom app.main import create_app\n"
            f"uvicorn.run(create_app(service='ai'), host='127.0.0.1', port={port}, "
            "log_level='warning')\n"
        )
        server = subprocess.Popen([sys.executable, "-c", code], env=env)
        url = f"http://127.0.0.1:{port}/api/ai/embed"
        try:
            deadline = time.monotonic() + 300
            while True:
                try:
                    if httpx.post(url, json={"texts": ["warm-up"]}, timeout=60).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError(f"the AI service ({runtime}) did not start")
                time.sleep(0.5)
            results[runtime] = {
                str(clients): load_test(url, clients, seconds) for clients in (1, 8, 32)
            }
        finally:
            server.terminate()
            server.wait(timeout=30)
    return results


def load_test(url: str, clients: int, seconds: float) -> dict[str, float]:
    import httpx

    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(number: int) -> None:
        with httpx.Client(timeout=30) as http:
            index = number * 1_000_000
            while time.monotonic() < stop:
                started = time.perf_counter()
                status = http.post(url, json={"texts": texts(1, offset=index)}).status_code
                with lock:
                    latencies.append(time.perf_counter() - started)
                    statuses[status] = statuses.get(status, 0) + 1
                index += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    ms = np.array(latencies) * 1000
    return {
        "embeddings_per_s": round(statuses.get(200, 0) / elapsed, 1),
        "p50_ms": round(float(np.percentile(ms, 50)), 1),
        "p95_ms": round(float(np.percentile(ms, 95)), 1),
        "non_200": sum(n for status, n in statuses.items() if status != 200),
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
    for runtime, by_clients in http.items():
        for clients, row in by_clients.items():
            print(f"HTTP {runtime:5} {clients:>2} clients: {row}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=60, help="single texts per runtime")
    parser.add_argument("--seconds", type=float, default=10.0, help="per HTTP load level")
    parser.add_argument("--skip-http", action="store_true", help="the model part only")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    model = bench_model(args.rounds)
    http = {"skipped": "--skip-http"} if args.skip_http else bench_http(args.seconds)
    if args.json:
        print(json.dumps({"model": model, "http": http, "load_average": os.getloadavg()[0]}))
    else:
        print_table(model, http)


if __name__ == "__main__":
    main()
