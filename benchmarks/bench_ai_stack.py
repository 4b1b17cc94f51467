"""``POST /api/match`` end to end through nginx, phase 4 (services apart) against the monolith
(phase 2: two whole-app processes behind nginx), and the memory (RSS) of every process of
each stack. Imported by ``bench_ai.py`` (the entry point), which prints it beside the
embedding figures.

Each stack is ``gm-infra app stack --phase N`` run from this checkout's code as a
subprocess, with its own MariaDB and Redis (DATABASE_URL and REDIS_URL are unset for it)
and the same model for both phases. Its state dir (default ``.gm/bench/phase-N``) is kept:
the first start seeds the demo data and embeds it once (a minute or more on 2 cores); later
starts find it embedded and skip that. Delete the folder for a cold start.

Queries are distinct texts: every process remembers its last 2,048 query vectors
(``Embedder.encode_one``, ``AiClient.encode_one``), so a repeated text would skip the model.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
MODEL = "bundled:all-mpnet-base-v2"  # phase 4's default; passed to both phases explicitly
PHASES = (4, 2)
CLIENT_LEVELS = (1, 8)
START_SECONDS = 1200.0  # a cold start embeds the demo data with all-mpnet-base-v2
STOP_SECONDS = 90.0
WARM_UP_SECONDS = 60.0
LEVEL_STRIDE = 10_000_000  # query offsets per load level, so no level repeats another's text
CLIENT_STRIDE = 1_000_000
Payload = Callable[[int], dict[str, Any]]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def load(
    url: str, payload: Payload, clients: int, seconds: float, start: int = 0
) -> dict[str, Any]:
    """``clients`` threads POST ``payload(index)`` (index distinct per request) to ``url``
    for ``seconds``: requests/s answered 200, p50 and p95 of those, and the other statuses
    (0: no answer). A fast 503 must not flatter the percentiles, so they leave them out."""
    import httpx

    answered: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(number: int) -> None:
        index = start + number * CLIENT_STRIDE
        with httpx.Client(timeout=60) as http:
            while time.monotonic() < stop:
                began = time.perf_counter()
                try:
                    status = http.post(url, json=payload(index)).status_code
                except httpx.TransportError:
                    status = 0
                took = time.perf_counter() - began
                with lock:
                    if status == 200:
                        answered.append(took)
                    statuses[status] = statuses.get(status, 0) + 1
                index += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    ms = np.array(answered or [float("nan")]) * 1000
    others = {str(status): n for status, n in sorted(statuses.items()) if status != 200}
    return {
        "per_s": round(len(answered) / elapsed, 1),
        "p50_ms": round(float(np.percentile(ms, 50)), 1),
        "p95_ms": round(float(np.percentile(ms, 95)), 1),
        "requests": sum(statuses.values()),
        "non_200": sum(others.values()),
        "other_statuses": others,
    }


# --- memory ----------------------------------------------------------------------------


def rss_kib(pid: int) -> int:
    """VmRSS of one process (0 when it is gone or a kernel thread)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def children_by_parent() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # the command name (field 2) may hold spaces; ppid is the 2nd field after its ")"
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(parent, []).append(int(entry.name))
    return tree


def descendants(pid: int, tree: dict[int, list[int]]) -> list[int]:
    found, todo = [], list(tree.get(pid, []))
    while todo:
        child = todo.pop()
        found.append(child)
        todo.extend(tree.get(child, []))
    return found


def memory(services: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """RSS per service: its process and (nginx's workers) its descendants, in MiB."""
    tree = children_by_parent()
    out: dict[str, dict[str, Any]] = {}
    for name, service in services.items():
        pid = int(service["pid"])
        pids = [pid, *descendants(pid, tree)]
        out[name] = {
            "kind": service.get("kind"),
            "pid": pid,
            "processes": len(pids),
            "rss_mib": round(sum(rss_kib(p) for p in pids) / 1024, 1),
        }
    return out


# --- one stack -------------------------------------------------------------------------


def gm_infra(*args: str) -> list[str]:
    """``gm-infra ARGS`` with this checkout's code (run with cwd = the repo root)."""
    code = "import sys, cli; sys.argv[0] = 'gm-infra'; cli.main()"
    return [sys.executable, "-c", code, *args]


def stack_env() -> dict[str, str]:
    """The stack runs its own MariaDB and Redis, never the shared ones."""
    env = dict(os.environ)
    for variable in ("DATABASE_URL", "DATABASE_URL_READ", "DATABASE_SHARD_URLS", "REDIS_URL"):
        env.pop(variable, None)
    return env


def wait_for_status_line(process: subprocess.Popen[str], timeout: float) -> dict[str, Any]:
    """The JSON status line ``--format json`` prints once the stack is up."""
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 1.0)
        if ready:
            line = process.stdout.readline()
            if line.strip().startswith("{"):
                status: dict[str, Any] = json.loads(line)
                return status
        if process.poll() is not None:
            raise RuntimeError(f"the stack exited with code {process.returncode} (see above)")
    raise RuntimeError(f"the stack was not up within {timeout:.0f} s")


def stop_stack(process: subprocess.Popen[str]) -> None:
    """SIGTERM to the supervising gm-infra, which stops its children in order."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def warm_up(url: str, body: dict[str, Any], phase: int) -> float:
    """Until the first query answers 200 (whatever loads on it is not timed); seconds it
    took after the stack said it was up.

    Retries 503s: phase 4's matching process starts beside the AI process, its start-up
    warm-up is refused, and its circuit breaker skips the AI service for 5 s; the stack says
    it is up before that has passed.
    """
    import httpx

    began = time.monotonic()
    while True:
        response = httpx.post(url, json=body, timeout=120)
        if response.status_code == 200:
            return round(time.monotonic() - began, 1)
        if response.status_code != 503 or time.monotonic() - began > WARM_UP_SECONDS:
            raise RuntimeError(
                f"phase {phase}: POST /api/match answered {response.status_code}: "
                f"{response.text[:300]}"
            )
        time.sleep(0.5)


def bench_phase(phase: int, state_dir: Path, payload: Payload, seconds: float) -> dict[str, Any]:
    port = free_port()
    argv = gm_infra(
        *("app", "stack", "--phase", str(phase), "--port", str(port)),
        *("--state-dir", str(state_dir), "--model", MODEL, "--format", "json"),
    )
    reused = (state_dir / "mariadb").exists()
    print(f"phase {phase}: starting the stack in {state_dir} ...", file=sys.stderr)
    began = time.monotonic()
    # stderr (the stack's progress lines) stays on the terminal
    process = subprocess.Popen(
        argv, cwd=REPO_ROOT, env=stack_env(), stdout=subprocess.PIPE, text=True
    )
    try:
        status = wait_for_status_line(process, START_SECONDS)
        start_s = round(time.monotonic() - began, 1)
        url = f"{status['url']}/api/match"
        services: dict[str, dict[str, Any]] = status["services"]
        first_200_s = warm_up(url, payload(90 * LEVEL_STRIDE), phase)
        match = {
            str(clients): load(url, payload, clients, seconds, start=level * LEVEL_STRIDE)
            for level, clients in enumerate(CLIENT_LEVELS, start=1)
        }
        return {
            "start_s": start_s,
            "state_dir_reused": reused,
            "first_200_after_up_s": first_200_s,
            "match": match,
            "memory": memory(services),  # after the load: models loaded, caches warm
        }
    finally:
        stop_stack(process)


def bench_stacks(payload: Payload, seconds: float, state_root: Path) -> dict[str, Any]:
    """Phase 4 then phase 2, one at a time (they would share the 2 cores otherwise)."""
    return {
        str(phase): bench_phase(phase, state_root / f"phase-{phase}", payload, seconds)
        for phase in PHASES
    }


# --- printing --------------------------------------------------------------------------


def print_stacks(stacks: dict[str, Any]) -> None:
    if "skipped" in stacks:
        print(f"/api/match through nginx: skipped ({stacks['skipped']})")
        return
    four, two = stacks["4"], stacks["2"]
    print(f"\nPOST /api/match through nginx ({MODEL}; distinct texts, limit 10)")
    for phase, run in (("4", four), ("2", two)):
        reused = "reused state dir" if run["state_dir_reused"] else "cold: seeded and embedded"
        print(
            f"  phase {phase} up in {run['start_s']} s ({reused}); first 200 from "
            f"/api/match {run['first_200_after_up_s']} s after it said it was up"
        )
    head = f"{'req/s':>7} {'p50':>7} {'p95':>7} {'!200':>5}"
    print(f"{'clients':>8} | phase 4 (services) {head} | phase 2 (monolith) {head}")
    for clients in four["match"]:
        cells = []
        for run in (four, two):
            row = run["match"][clients]
            cells.append(
                f"{'':18} {row['per_s']:>7} {row['p50_ms']:>7} {row['p95_ms']:>7} "
                f"{row['non_200']:>5}"
            )
        print(f"{clients:>8} | {cells[0]} | {cells[1]}")
    print("  p50/p95 of the 200s; !200: other answers, by status (0: none):")
    for phase, run in (("4", four), ("2", two)):
        for clients, row in run["match"].items():
            if row["other_statuses"]:
                print(f"    phase {phase}, {clients} clients: {row['other_statuses']}")
    print("\nmemory (VmRSS after the load; nginx includes its workers)")
    for phase, run in (("4", four), ("2", two)):
        total = sum(row["rss_mib"] for row in run["memory"].values())
        print(f"  phase {phase}: {total:.0f} MiB in all")
        for name, row in run["memory"].items():
            print(
                f"    {name:12} {row['kind']:8} pid {row['pid']:>7} "
                f"{row['processes']:>2} proc {row['rss_mib']:>8.1f} MiB"
            )
