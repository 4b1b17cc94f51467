"""Requests answered, and their latency, with a hung replica or a hung Redis, side by side
with both healthy, in one run.

Starts its own throwaway servers on spare loopback ports (never the shared 3306/6379): two
``mariadbd`` (writer and replica, both seeded with the same jobs), one ``redis-server``
(sessions and cache), and ``uvicorn --factory app.main:create_app`` with one worker. Then,
for each phase, --clients threads each loop over a mix for --seconds:
  * anonymous reads: GET /api/jobs?sdg_tag=k (canonical, cached), GET /api/jobs?search=w
    (not cached: always the database), GET /api/careers
  * logged-in: GET /api/auth/me (session store + writer)
  * GET /health
Phases: healthy; replica hung (SIGSTOP on the replica's mariadbd); Redis hung (SIGSTOP on
redis-server); healthy again (a control for order effects). Each hung server is resumed
(SIGCONT) and the app given time to close its breakers before the next phase. A request
"answered" got any HTTP status; 503 is counted apart; a request with no answer within
10 s counts as a timeout.

Run: .venv/bin/python benchmarks/bench_app_faults.py [--seconds 10] [--clients 16] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.app import mariadb_pair  # noqa: E402  (the suite's throwaway-mariadbd helper)

JOBS = 2_000
PASSWORD = "bench-password-1234"
KINDS = ("jobs page (cached)", "jobs search (database)", "careers", "me (logged in)", "health")


def start_redis(workdir: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = mariadb_pair.free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 15
    while True:
        try:
            import redis

            redis.Redis(port=port, socket_timeout=0.5).ping()
            return process, port
        except Exception:
            if process.poll() is not None or time.monotonic() > deadline:
                sys.exit("redis-server did not start")
            time.sleep(0.1)


def start_mariadb(root: Path, server_id: int) -> mariadb_pair.Server:
    datadir = root / f"db{server_id}"
    subprocess.run(
        [mariadb_pair.INSTALL_DB, "--no-defaults", f"--datadir={datadir}", "--user=root",
         "--auth-root-authentication-method=normal", "--skip-test-db"],
        check=True, capture_output=True,
    )  # fmt: skip
    server = mariadb_pair.Server(datadir, mariadb_pair.free_port(), server_id)
    server.start()
    server.execute("CREATE DATABASE gm CHARACTER SET utf8mb4")
    return server


def seed(url: str) -> None:
    """Migrate and insert the same jobs and careers (no vectors: matching is not measured)."""
    from sqlalchemy import insert

    from app.core.db import make_engine
    from app.core.settings import Settings
    from app.migrate import upgrade_engine
    from app.models import Job
    from app.services import demo_data

    engine = make_engine(url, Settings())
    upgrade_engine(engine)
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        employers = demo_data.build_employers()
        session.add_all(employers)
        session.add_all(demo_data.build_careers())
        session.flush()
        jobs = demo_data.build_jobs(
            per_sdg=-(-JOBS // 17), seed=3, employer_ids=[e.id for e in employers]
        )[:JOBS]
        rows = [
            {
                "employer_id": j.employer_id, "title": j.title, "description": j.description,
                "sdg_tag": j.sdg_tag, "salary_min": j.salary_min, "salary_max": j.salary_max,
                "location": j.location, "created_at": j.created_at,
            }
            for j in jobs
        ]  # fmt: skip
        session.execute(insert(Job), rows)
        session.commit()
    engine.dispose()


def login(base: str, index: int) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=10)
    email = f"bench-{index}-{random.randrange(10**9)}@example.org"
    body = {"email": email, "password": PASSWORD, "role": "candidate"}
    assert client.post("/api/auth/register", json=body).status_code == 201
    assert client.post("/api/auth/login", json={"email": email, "password": PASSWORD}).is_success
    return client


def run_phase(clients: list[httpx.Client], seconds: float) -> dict[str, Any]:
    samples: dict[str, list[tuple[float, int]]] = defaultdict(list)
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    words = ["solar", "wind", "water", "forest", "recycling", "grid", "ocean", "soil"]

    def loop(client: httpx.Client, seed_value: int) -> None:
        rng = random.Random(seed_value)
        mine: list[tuple[str, float, int]] = []
        while time.monotonic() < stop:
            kind = rng.choice(KINDS)
            path = {
                "jobs page (cached)": f"/api/jobs?sdg_tag={rng.randint(1, 17)}",
                "jobs search (database)": f"/api/jobs?search={rng.choice(words)}",
                "careers": "/api/careers",
                "me (logged in)": "/api/auth/me",
                "health": "/health",
            }[kind]
            started = time.perf_counter()
            try:
                status = client.get(path).status_code
            except httpx.TimeoutException:
                status = 0
            except httpx.HTTPError:
                status = -1
            mine.append((kind, time.perf_counter() - started, status))
        with lock:
            for kind, elapsed, status in mine:
                samples[kind].append((elapsed, status))

    threads = [threading.Thread(target=loop, args=(client, i)) for i, client in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {kind: summarise(samples[kind], seconds) for kind in KINDS}


def summarise(samples: list[tuple[float, int]], seconds: float) -> dict[str, Any]:
    answered = sorted(elapsed for elapsed, status in samples if status > 0)

    def pct(q: float) -> float:
        return round(answered[min(len(answered) - 1, int(q * len(answered)))] * 1000, 1)

    return {
        "answered": len(answered),
        "per_s": round(len(answered) / seconds, 1),
        "ok": sum(1 for _, s in samples if 200 <= s < 500),
        "503": sum(1 for _, s in samples if s == 503),
        "no_answer": sum(1 for _, s in samples if s <= 0),
        "p50_ms": pct(0.50) if answered else None,
        "p95_ms": pct(0.95) if answered else None,
        "max_ms": round(answered[-1] * 1000, 1) if answered else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    for binary in ("redis-server", mariadb_pair.INSTALL_DB, mariadb_pair.MARIADBD):
        if shutil.which(binary) is None:
            sys.exit(f"{binary} is not installed (scripts/setup.sh installs it)")

    work = Path(tempfile.mkdtemp(prefix="gm-bench-faults-"))
    writer = start_mariadb(work, 1)
    replica = start_mariadb(work, 2)
    redis_process, redis_port = start_redis(work)
    server: subprocess.Popen[bytes] | None = None
    results: dict[str, Any] = {"clients": args.clients, "seconds": args.seconds, "jobs": JOBS}
    try:
        for db in (writer, replica):
            seed(db.url("gm"))
        port = mariadb_pair.free_port()
        env = dict(
            os.environ, APP_ENV="local", DEMO_DATA="false", AUTO_MIGRATE="false",
            DATABASE_URL=writer.url("gm"), DATABASE_URL_READ=replica.url("gm"),
            REDIS_URL=f"redis://127.0.0.1:{redis_port}/0", EMBED_MODE="inline",
            HF_HUB_OFFLINE="1", REPLICA_RETRY_SECONDS="30", DEPENDENCY_RETRY_SECONDS="5",
        )  # fmt: skip
        for name in ("DATABASE_SHARD_URLS", "SESSION_REDIS_URL", "METRICS_TOKEN"):
            env.pop(name, None)
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "app.main:create_app",
             "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
             "--log-level", "error", "--no-access-log"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                httpx.get(base + "/health", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or server.poll() is not None:
                    sys.exit("the app did not start")
                time.sleep(0.3)
        # The app loads its embedding model in a warm-up thread (seconds of CPU): wait for
        # it, or the first phase measures the model load instead of the requests.
        body = {"text": "warm up", "limit": 1}
        httpx.post(base + "/api/match", json=body, timeout=300).raise_for_status()
        clients = [login(base, i) for i in range(args.clients)]
        run_phase(clients, 2)  # warm-up: pools, caches
        phases = {
            "healthy": None,
            "replica hung": replica.process,
            "Redis hung": redis_process,
            "healthy again": None,  # a control: the same app after both faults
        }
        for name, process in phases.items():
            if process is not None:
                process.send_signal(signal.SIGSTOP)
            try:
                results[name] = run_phase(clients, args.seconds)
            finally:
                if process is not None:
                    process.send_signal(signal.SIGCONT)
            time.sleep(6)  # breakers close on their next probe
            run_phase(clients, 1)
        for client in clients:
            client.close()
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        redis_process.send_signal(signal.SIGCONT)
        redis_process.terminate()
        redis_process.wait(timeout=15)
        for db in (replica, writer):
            if db.process is not None:
                db.process.send_signal(signal.SIGCONT)
            db.stop()
        shutil.rmtree(work, ignore_errors=True)

    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{args.clients} clients x {args.seconds:.0f} s per phase, {JOBS} jobs, one worker")
    header = f"{'request':<24}{'phase':<14}{'answered/s':>11}{'ok':>7}{'503':>6}"
    print(header + f"{'none':>6}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for kind in KINDS:
        for phase in phases:
            row = results[phase][kind]
            print(
                f"{kind:<24}{phase:<14}{row['per_s']:>11}{row['ok']:>7}{row['503']:>6}"
                f"{row['no_answer']:>6}{row['p50_ms']!s:>9}{row['p95_ms']!s:>9}"
                f"{row['max_ms']!s:>9}"
            )


if __name__ == "__main__":
    main()
