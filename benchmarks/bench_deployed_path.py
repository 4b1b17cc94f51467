"""The deployed request path against the app alone, in one run (issue 19).

``gm-infra app stack --phase 2`` (MiniLM, this checkout's code, its own MariaDB and Redis):
requests/s and p50/p95 of a cached ``GET /api/jobs`` and of ``POST /api/match`` (distinct
texts), through the whole path (the CDN stand-in on HTTPS -> the ALB stand-in -> the app)
and straight to one app process, with 1 and 8 clients each. The difference is what the
two nginx hops and TLS cost on this machine (through the path, phase 2's two app processes
share the load; straight, one process takes it all).

Run: .venv/bin/python benchmarks/bench_deployed_path.py [--seconds 10] [--keep]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_ai_stack import (  # benchmarks/ is not a package: its folder is on the path
    REPO_ROOT,
    free_port,
    gm_infra,
    stack_env,
    stop_stack,
    wait_for_status_line,
)

MODEL = "bundled:all-MiniLM-L6-v2"
CLIENTS = (1, 8)


def run_load(
    base: str, method: str, path: str, clients: int, seconds: float, verify: Any, origin: str
) -> dict[str, Any]:
    """``clients`` threads send ``method path`` for ``seconds``; 200s counted and timed."""
    import httpx

    answered: list[float] = []
    others: dict[int, int] = {}
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    headers = {"Origin": origin, "Sec-Fetch-Site": "same-origin"}

    def client(number: int) -> None:
        index = number * 1_000_000
        with httpx.Client(base_url=base, timeout=60, verify=verify, headers=headers) as http:
            while time.monotonic() < stop:
                began = time.perf_counter()
                try:
                    if method == "GET":
                        status = http.get(path).status_code
                    else:
                        body = {"text": f"repair wind turbines near the coast, case {index}"}
                        status = http.post(path, json=body).status_code
                except httpx.TransportError:
                    status = 0
                took = time.perf_counter() - began
                with lock:
                    if status == 200:
                        answered.append(took)
                    else:
                        others[status] = others.get(status, 0) + 1
                index += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    ms = np.array(answered or [float("nan")]) * 1000
    return {
        "per_s": round(len(answered) / elapsed, 1),
        "p50_ms": round(float(np.percentile(ms, 50)), 1),
        "p95_ms": round(float(np.percentile(ms, 95)), 1),
        "not_200": others,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--state-dir", default=str(REPO_ROOT / ".gm" / "bench" / "path-2"))
    args = parser.parse_args()

    env = {**stack_env(), "DEMO_JOBS_PER_SDG": "4"}
    command = gm_infra(
        *("app", "stack", "--phase", "2", "--port", str(free_port())),
        *("--cdn-port", str(free_port()), "--state-dir", args.state_dir),
        *("--model", MODEL, "--format", "json"),
    )
    print("starting gm-infra app stack --phase 2 ...", file=sys.stderr)
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, text=True)
    try:
        status = wait_for_status_line(process, 600)
        cdn, ca = status["cdn"]["url"], status["cdn"]["ca"]
        report = subprocess.run(
            gm_infra("app", "stack", "--status", "--format", "json", "--state-dir", args.state_dir),
            cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        services = json.loads(report.stdout)["services"]
        app = f"http://127.0.0.1:{services['web-1']['port']}"
        targets = {"whole path (CDN, ALB, app)": (cdn, ca), "the app alone": (app, True)}
        for base, verify in targets.values():  # models loaded, caches filled: not timed
            run_load(base, "POST", "/api/match", 2, 3.0, verify, cdn)
            run_load(base, "GET", "/api/jobs", 1, 1.0, verify, cdn)
        print(f"phase 2, {MODEL}, {args.seconds:.0f} s per row; load average "
              f"{Path('/proc/loadavg').read_text().split()[0]}")  # fmt: skip
        print(f"{'request':22} {'clients':>7} {'through':28} {'req/s':>7} {'p50 ms':>8} "
              f"{'p95 ms':>8}  not 200")  # fmt: skip
        for method, path in (("GET", "/api/jobs"), ("POST", "/api/match")):
            for clients in CLIENTS:
                for label, (base, verify) in targets.items():
                    row = run_load(base, method, path, clients, args.seconds, verify, cdn)
                    print(
                        f"{method + ' ' + path:22} {clients:>7} {label:28} {row['per_s']:>7} "
                        f"{row['p50_ms']:>8} {row['p95_ms']:>8}  {row['not_200'] or '-'}"
                    )
    finally:
        stop_stack(process)


if __name__ == "__main__":
    main()
