"""Posting jobs with the AI service healthy, then hung, side by side, and the outbox
backlog's drain once it resumes, in one run.

Starts its own throwaway servers on spare loopback ports (never the shared 3306/6379): one
``mariadbd`` (database ``gm``, ``utf8mb4_unicode_ci`` like RDS's parameter group), one
``redis-server`` (sessions, cache, Celery's broker), and the phase-4 shape of
``gm-infra app stack --phase 4``, smaller: the AI service as its own uvicorn process
(``SERVICE_NAME=ai``, bundled MiniLM), the app (``uvicorn --factory app.main:create_app``,
one worker, every service but ``ai``, ``AI_SERVICE_URL`` set, ``EMBED_MODE=celery``) and the
Celery worker (its command from the stack: the drainer embeds the outbox through the AI
service). Outbox and AI-client settings are the app's defaults.

Phases, each --posts jobs by --clients threads sharing one employer's session:
  * healthy: acknowledged posts/s (201), p50/p95 of ``POST /api/jobs``; then the backlog
    is left to drain so the next phase starts from 0;
  * AI hung (SIGSTOP on the AI service's process: its port accepts, nothing answers):
    acknowledged/s, p50/p95, and the answers that were not 2xx (500 must be 0);
  * drain (SIGCONT): the outbox backlog (``/health/ready``) polled until 0: rows embedded/s
    and the time to 0; then every job posted while hung is asked for through
    ``POST /api/match`` (its own title and description, top 5) until found: the time from
    SIGCONT until the last one is found (an upper bound: it includes the asking).

The AI service stays hung --hang-seconds (from SIGSTOP; at least the posting), so the
worker's next poll (OUTBOX_POLL_SECONDS, 1 s) claims a batch and its call hangs. A hang
shorter than AI_SERVICE_BULK_TIMEOUT_SECONDS (60 s) ends with that call answered late; a
longer one fails it and the rows wait their back-off (1, 2, 4 ... 30 s) before the next try,
which the drain then includes.

Run: .venv/bin/python benchmarks/bench_outbox.py [--posts 60] [--clients 4]
     [--hang-seconds 10] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.app import mariadb_pair  # noqa: E402  (the suite's throwaway-mariadbd helper)

MODEL = "bundled:all-MiniLM-L6-v2"
PASSWORD = "bench-password-1234"
START_SECONDS = 180.0  # a process that loads MiniLM on 2 cores, or a Celery worker
STOP_SECONDS = 30.0
REQUEST_SECONDS = 30.0  # one post or one match; a post never waits on the AI service
TRADES = ["tidal turbines", "peat bogs", "heat pumps", "kelp farms", "bike lanes"]


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
                raise RuntimeError("redis-server did not start") from None
            time.sleep(0.1)


def start_mariadb(root: Path) -> mariadb_pair.Server:
    datadir = root / "db1"
    subprocess.run(
        [mariadb_pair.INSTALL_DB, "--no-defaults", f"--datadir={datadir}", "--user=root",
         "--auth-root-authentication-method=normal", "--skip-test-db"],
        check=True, capture_output=True,
    )  # fmt: skip
    server = mariadb_pair.Server(datadir, mariadb_pair.free_port(), 1)
    server.start()
    server.execute("CREATE DATABASE gm CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    return server


def spawn(argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Its own process group, so the worker's children are stopped with it."""
    with open(log, "ab") as out:
        return subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGCONT)
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_SECONDS)
    except ProcessLookupError:
        pass


def wait_healthy(base: str, process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + START_SECONDS
    while True:
        try:
            if httpx.get(base + "/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start within {START_SECONDS:.0f} s")
        time.sleep(0.3)


def backlog(db: mariadb_pair.Server) -> tuple[int, int]:
    """Outbox rows, and those claimed by the worker, read from the database itself:
    /health/ready shows the same count but reuses its answer for 0.5 s."""
    count, claimed = db.execute("SELECT COUNT(*), COUNT(claim) FROM gm.outbox")[0]
    return int(count), int(claimed)  # type: ignore[call-overload]


def wait_backlog_zero(db: mariadb_pair.Server, rows: float, what: str) -> tuple[float, float]:
    """Seconds until the outbox is empty, and until its first row was done; the bound allows
    1 s a row plus a minute for the worker's back-off (capped at 30 s) and its start."""
    began = time.monotonic()
    deadline = began + 60 + rows
    first_count, first_done = None, None
    while (count := backlog(db)[0]) > 0:
        first_count = count if first_count is None else first_count
        if first_done is None and count < first_count:
            first_done = time.monotonic() - began
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: the outbox did not empty within {deadline - began:.0f} s")
        time.sleep(0.1)
    total = time.monotonic() - began
    return total, total if first_done is None else first_done


def job_body(index: int, tag: str) -> dict[str, object]:
    """Texts distinct enough that each job is the best match for its own description."""
    return {
        "title": f"Outbox job {index} {tag}",
        "description": f"Job number {index}: care for {TRADES[index % 5]} in district {index}.",
        "sdg_tag": 1 + index % 17,
        "salary_min": 1,
        "salary_max": 2,
        "location": "Anywhere",
    }


def employer_cookies(base: str) -> httpx.Cookies:
    with httpx.Client(base_url=base, timeout=REQUEST_SECONDS) as client:
        email = f"bench-outbox-{uuid.uuid4().hex[:10]}@example.org"
        body = {"email": email, "password": PASSWORD, "role": "employer",
                "employer_name": f"Outbox Co {uuid.uuid4().hex[:8]}"}  # fmt: skip
        answer = client.post("/api/auth/register", json=body)
        assert answer.status_code == 201, answer.text
        login = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
        assert login.status_code == 200, login.text
        return httpx.Cookies(client.cookies)


def post_jobs(
    base: str, cookies: httpx.Cookies, first: int, posts: int, clients: int, tag: str
) -> tuple[dict[str, Any], dict[int, int]]:
    """--posts jobs by --clients threads; the figures, and job id -> index of the 201s."""
    took: list[float] = []
    statuses: dict[int, int] = {}
    ids: dict[int, int] = {}
    lock = threading.Lock()
    todo = iter(range(first, first + posts))

    def client() -> None:
        with httpx.Client(base_url=base, cookies=cookies, timeout=REQUEST_SECONDS) as http:
            while True:
                with lock:
                    index = next(todo, None)
                if index is None:
                    return
                began = time.perf_counter()
                try:
                    answer = http.post("/api/jobs", json=job_body(index, tag))
                    status = answer.status_code
                except httpx.TransportError:
                    answer, status = None, 0
                elapsed = time.perf_counter() - began
                with lock:
                    statuses[status] = statuses.get(status, 0) + 1
                    if answer is not None and status == 201:
                        took.append(elapsed)
                        ids[int(answer.json()["id"])] = index

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - began
    took.sort()

    def pct(q: float) -> float | None:
        return round(took[min(len(took) - 1, int(q * len(took)))] * 1000, 1) if took else None

    return {
        "acknowledged": len(took),
        "per_s": round(len(took) / seconds, 1),
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "max_ms": round(took[-1] * 1000, 1) if took else None,
        "non_2xx": sum(n for s, n in statuses.items() if not 200 <= s < 300),
        "500": statuses.get(500, 0),
        "statuses": {str(s): n for s, n in sorted(statuses.items())},
    }, ids


def wait_matchable(base: str, ids: dict[int, int], tag: str, began: float) -> dict[str, Any]:
    """Ask /api/match for each job until it is in the top 5; 503 (a busy AI service) is
    asked again. Bound: 2 minutes (issue 21's promise) plus 1 s a job."""
    deadline = time.monotonic() + 120 + len(ids)
    asked = 0
    with httpx.Client(base_url=base, timeout=REQUEST_SECONDS) as http:
        for job_id, index in ids.items():
            text = job_body(index, tag)
            question = {"text": f"{text['title']}. {text['description']}", "limit": 5}
            while True:
                asked += 1
                answer = http.post("/api/match", json=question)
                if answer.status_code == 200 and job_id in [
                    r["job"]["id"] for r in answer.json()["results"]
                ]:
                    break
                if answer.status_code not in (200, 503) or time.monotonic() > deadline:
                    raise RuntimeError(f"job {job_id} not matchable: {answer.status_code}")
                time.sleep(0.2)
    return {"all_matchable_s": round(time.monotonic() - began, 2), "match_requests": asked}


def run(args: argparse.Namespace, work: Path, procs: dict[str, Any]) -> dict[str, Any]:
    db = procs["mariadb"] = start_mariadb(work)
    procs["redis"], redis_port = start_redis(work)
    base_env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_", "REDIS", "SESSION_REDIS", "CELERY_", "AI_SERVICE"))
    }
    base_env.update(
        APP_ENV="local", HF_HUB_OFFLINE="1", EMBEDDING_MODEL=MODEL, PYTHONUNBUFFERED="1",
        DEMO_DATA="false", AUTO_MIGRATE="false", METRICS_TOKEN="",
    )  # fmt: skip
    ai_port = mariadb_pair.free_port()
    ai_env = dict(base_env, SERVICE_NAME="ai", DATA_DIR=str(work / "ai"))
    uvicorn = [sys.executable, "-m", "uvicorn", "--factory", "app.main:create_app",
               "--host", "127.0.0.1", "--log-level", "warning", "--no-access-log"]  # fmt: skip
    procs["ai"] = spawn([*uvicorn, "--port", str(ai_port)], ai_env, work / "ai.log")
    ai_url = f"http://127.0.0.1:{ai_port}"

    env = dict(
        base_env, DATABASE_URL=db.url("gm"), REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
        EMBED_MODE="celery", AI_SERVICE_URL=ai_url, DATA_DIR=str(work / "app"),
    )  # fmt: skip
    env.pop("SERVICE_NAME", None)
    subprocess.run(
        [sys.executable, "-m", "app.migrate"], cwd=ROOT, env=env, check=True,
        capture_output=True, timeout=START_SECONDS,
    )  # fmt: skip
    wait_healthy(ai_url, procs["ai"], "the AI service")  # first: the others probe it
    port = mariadb_pair.free_port()
    procs["app"] = spawn([*uvicorn, "--port", str(port), "--workers", "1"], env, work / "app.log")
    procs["worker"] = spawn(
        [sys.executable, "-m", "celery", "--app", "app.worker.celery_app:celery_app",
         "worker", "--loglevel", "WARNING", "--concurrency", "1",
         "--hostname", f"gm-bench-{uuid.uuid4().hex[:6]}@%h"],
        dict(env, METRICS_SERVICE="worker"), work / "worker.log",
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    wait_healthy(base, procs["app"], "the app")
    cookies = employer_cookies(base)
    tag = uuid.uuid4().hex[:6]

    # Warm-up: pools, the worker's start, the AI service's first batch.
    warm, _ = post_jobs(base, cookies, 10_000, 4, 1, tag)
    assert warm["acknowledged"] == 4, warm
    wait_backlog_zero(db, START_SECONDS, "warm-up (the worker's start)")
    httpx.post(base + "/api/match", json={"text": "warm up", "limit": 1}, timeout=REQUEST_SECONDS)

    results: dict[str, Any] = {"posts": args.posts, "clients": args.clients, "model": MODEL}
    results["hang_seconds"] = args.hang_seconds
    results["healthy"], _ = post_jobs(base, cookies, 0, args.posts, args.clients, tag)
    results["healthy"]["drained_s"] = round(wait_backlog_zero(db, args.posts, "healthy")[0], 2)

    ai = procs["ai"]
    os.killpg(ai.pid, signal.SIGSTOP)
    try:
        hung_at = time.monotonic()
        results["AI hung"], hung_ids = post_jobs(
            base, cookies, args.posts, args.posts, args.clients, tag
        )
        time.sleep(max(0.0, hung_at + args.hang_seconds - time.monotonic()))
        queued, claimed = backlog(db)
    finally:
        resumed = time.monotonic()
        os.killpg(ai.pid, signal.SIGCONT)
    drain_s, first_s = wait_backlog_zero(db, queued, "after SIGCONT")
    results["drain"] = {
        "hung_s": round(resumed - hung_at, 1),
        "backlog_at_resume": queued,
        "claimed_at_resume": claimed,
        "backlog_zero_s": round(drain_s, 2),
        "rows_per_s": round(queued / drain_s, 1) if drain_s > 0 else None,
        "first_row_done_s": round(first_s, 2),  # the worker's wait before it tries again
        **wait_matchable(base, hung_ids, tag, resumed),
        "matchable_jobs": len(hung_ids),
    }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=60)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--hang-seconds", type=float, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    for binary in ("redis-server", mariadb_pair.INSTALL_DB, mariadb_pair.MARIADBD):
        if shutil.which(binary) is None:
            sys.exit(f"{binary} is not installed (scripts/setup.sh installs it)")

    def terminated(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)  # the finally below stops every process

    signal.signal(signal.SIGTERM, terminated)
    work = Path(tempfile.mkdtemp(prefix="gm-bench-outbox-"))
    procs: dict[str, Any] = {}
    try:
        results = run(args, work, procs)
    except RuntimeError as error:
        logs = "\n".join(f"  {p}" for p in sorted(work.glob("*.log")))
        sys.exit(f"bench_outbox: {error}\nlogs (removed on exit):\n{logs}")
    finally:
        for name in ("worker", "app", "ai"):
            stop(procs.get(name))
        if procs.get("redis") is not None:
            procs["redis"].terminate()
            procs["redis"].wait(timeout=STOP_SECONDS)
        if procs.get("mariadb") is not None:
            procs["mariadb"].stop()
        shutil.rmtree(work, ignore_errors=True)

    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{args.posts} posts by {args.clients} clients per phase, {MODEL}, one app worker")
    print(f"{'phase':<10}{'acked':>7}{'acked/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}"
          f"{'non-2xx':>9}{'500':>5}")  # fmt: skip
    for phase in ("healthy", "AI hung"):
        row = results[phase]
        print(
            f"{phase:<10}{row['acknowledged']:>7}{row['per_s']:>9}{row['p50_ms']!s:>9}"
            f"{row['p95_ms']!s:>9}{row['max_ms']!s:>9}{row['non_2xx']:>9}{row['500']:>5}"
        )
    drain = results["drain"]
    print(
        f"AI service hung {drain['hung_s']} s; at SIGCONT {drain['backlog_at_resume']} outbox"
        f" rows ({drain['claimed_at_resume']} claimed by the worker, its call hung)"
    )
    print(
        f"drain after SIGCONT: {drain['backlog_at_resume']} rows in {drain['backlog_zero_s']} s"
        f" ({drain['rows_per_s']} rows/s; first row done after {drain['first_row_done_s']} s);"
        f" all {drain['matchable_jobs']} hung-phase jobs"
        f" matchable {drain['all_matchable_s']} s after SIGCONT"
        f" ({drain['match_requests']} match requests)"
    )
    print(f"healthy phase's own backlog drained in {results['healthy']['drained_s']} s")


if __name__ == "__main__":
    main()
