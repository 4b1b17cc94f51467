"""Online reshard figures: rows/s copied while the app writes, the longest write pause, and the
app's data-path latency (p95) during the reshard next to the same figure measured just before.

Creates three databases on the local MariaDB (127.0.0.1:3306, root), migrates them, fills
the source (shard 0) with --rows applications, then runs writer and reader threads through
the app's own data path (``Database.shard_session`` + ``applications.apply`` as
POST /api/jobs/{id}/apply does; ``shard_read_session`` + ``list_for_user`` as
GET /api/applications does) for a baseline window, then during ``Reshard.run()``, then checks
that every acknowledged write is on its user's shard exactly once. Drops the databases after.

Run: .venv/bin/python benchmarks/bench_reshard.py [--rows 60000] [--writers 4] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pymysql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.core.db import Database  # noqa: E402
from app.core.settings import Settings  # noqa: E402
from app.migrate import upgrade_engine  # noqa: E402
from app.services import applications  # noqa: E402

HOST, PORT = "127.0.0.1", 3306


def url(name: str) -> str:
    return f"mysql+pymysql://root:@{HOST}:{PORT}/{name}"


def server(database: str | None = None) -> pymysql.Connection:  # type: ignore[type-arg]
    return pymysql.connect(host=HOST, port=PORT, user="root", password="", database=database)


@dataclass
class Load:
    """Latencies (started_at, seconds) of the app's writes and reads, and what was acked."""

    writes: list[tuple[float, float]] = field(default_factory=list)
    reads: list[tuple[float, float]] = field(default_factory=list)
    acked: list[tuple[int, int]] = field(default_factory=list)
    errors: int = 0


def p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=20)[-1]


def run_load(database: Database, users: int, writers: int, stop: threading.Event) -> Load:
    load = Load()
    lock = threading.Lock()

    def writer(seed: int) -> None:
        rng = random.Random(seed)
        job = seed * 10_000_000
        while not stop.is_set():
            user, job = rng.randint(1, users + users // 10), job + 1
            started = time.monotonic()
            try:
                with database.shard_session(user) as session:
                    applications.apply(session=session, user_id=user, job_id=job, cover_letter="x")
            except Exception:
                load.errors += 1
                continue
            with lock:
                load.writes.append((started, time.monotonic() - started))
                load.acked.append((user, job))

    def reader(seed: int) -> None:
        rng = random.Random(seed)
        while not stop.is_set():
            user = rng.randint(1, users)
            started = time.monotonic()
            with database.shard_read_session(user) as session:
                applications.list_for_user(session=session, user_id=user)
            with lock:
                load.reads.append((started, time.monotonic() - started))

    threads = [threading.Thread(target=writer, args=(i + 1,)) for i in range(writers)]
    threads += [threading.Thread(target=reader, args=(100 + i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    load.threads = threads  # type: ignore[attr-defined]
    return load


def populate(name: str, rows: int, per_user: int) -> int:
    users = rows // per_user
    connection = server(name)
    with connection.cursor() as cursor:
        batch: list[tuple[int, int, str]] = []
        for user in range(1, users + 1):
            for job in range(per_user):
                batch.append((user, job, f"cover letter of user {user} for job {job} " * 4))
            if len(batch) >= 5000:
                cursor.executemany(
                    "INSERT INTO applications (user_id, job_id, status, cover_letter, created_at)"
                    " VALUES (%s, %s, 'submitted', %s, NOW())",
                    batch,
                )
                batch.clear()
        if batch:
            cursor.executemany(
                "INSERT INTO applications (user_id, job_id, status, cover_letter, created_at)"
                " VALUES (%s, %s, 'submitted', %s, NOW())",
                batch,
            )
    connection.commit()
    connection.close()
    return users


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=60_000)
    parser.add_argument("--per-user", type=int, default=10)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--baseline-seconds", type=float, default=3.0)
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--range-rows", type=int, default=2000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    names = [f"gm_bench_reshard_{os.getpid()}_{i}" for i in range(3)]
    admin = server()
    with admin.cursor() as cursor:
        for name in names:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
            cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    settings = Settings(
        database_url=url(names[0]),
        database_shard_urls=",".join(url(n) for n in names),
        db_pool_size=10,
        db_max_overflow=10,
    )
    database = Database.from_settings(settings)
    try:
        for engine in database.shards:
            upgrade_engine(engine)
        users = populate(names[0], args.rows, args.per_user)
        stop = threading.Event()
        load = run_load(database, users, args.writers, stop)
        time.sleep(args.baseline_seconds)
        # The reshard runs as a user runs it: its own process, through the CLI.
        command = [sys.executable, "-c", "import sys, cli; sys.argv[0] = 'gm-infra'; cli.main()"]
        command += ["app", "reshard", "--source", url(names[0])]
        for name in names:
            command += ["--target", url(name)]
        command += ["--batch-size", str(args.batch_size), "--range-rows", str(args.range_rows)]
        command += ["--yes", "--format", "json"]
        reshard_start = time.monotonic()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        reshard_end = time.monotonic()
        if done.returncode != 0:
            raise SystemExit(f"reshard failed: {done.stderr}")
        summary = json.loads(done.stdout)
        time.sleep(0.5)
        stop.set()
        for thread in load.threads:  # type: ignore[attr-defined]
            thread.join()

        before_w = [d for t, d in load.writes if t < reshard_start]
        during_w = [d for t, d in load.writes if reshard_start <= t < reshard_end]
        before_r = [d for t, d in load.reads if t < reshard_start]
        during_r = [d for t, d in load.reads if reshard_start <= t < reshard_end]

        lost = duplicated = 0
        for index, name in enumerate(names):
            connection = server(name)
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT user_id, job_id FROM applications WHERE user_id %% 3 = %s", (index,)
                )
                have: dict[tuple[int, int], int] = {}
                for user, job in cursor.fetchall():
                    have[(user, job)] = have.get((user, job), 0) + 1
            connection.close()
            for user, job in load.acked:
                if user % 3 == index:
                    count = have.get((user, job), 0)
                    lost += count == 0
                    duplicated += count > 1

        figures = {
            "source_rows": args.rows,
            "rows_copied": summary["rows_copied"],
            "copy_rows_per_s": summary["copy_rows_per_s"],
            "reshard_rows_per_s": summary["rows_per_s"],
            "reshard_seconds": round(reshard_end - reshard_start, 2),
            "users_moved": summary["users_moved"],
            "verified": summary["verified"],
            "fence_pause_ms_max": summary["pause_ms_max"],
            "longest_write_ms_during": round(max(during_w, default=0) * 1000, 1),
            "longest_write_ms_before": round(max(before_w, default=0) * 1000, 1),
            "write_p95_ms_before": round(p95(before_w) * 1000, 2),
            "write_p95_ms_during": round(p95(during_w) * 1000, 2),
            "read_p95_ms_before": round(p95(before_r) * 1000, 2),
            "read_p95_ms_during": round(p95(during_r) * 1000, 2),
            "writes_acked": len(load.acked),
            "write_errors": load.errors,
            "acked_writes_lost": lost,
            "acked_writes_duplicated": duplicated,
        }
    finally:
        database.dispose()
        with admin.cursor() as cursor:
            for name in names:
                cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        admin.close()

    if args.json:
        print(json.dumps(figures))
        return 0
    print(f"reshard of {args.rows:,} rows to 3 shards, {args.writers} writers + 2 readers")
    print(f"  bulk copy            {figures['copy_rows_per_s']:>10} rows/s  (goal >= 5,000)")
    print(
        f"  whole run            {figures['reshard_rows_per_s']:>10} rows/s  "
        f"in {figures['reshard_seconds']} s (process start, 2.5 s map-cache settle, "
        "per-range catch-up)"
    )
    print(f"  users moved          {figures['users_moved']:>10}   verified: {summary['verified']}")
    print(f"  fence pause max      {figures['fence_pause_ms_max']:>10} ms")
    print("                           before    during")
    for label, key in (("write p95 ms", "write_p95_ms"), ("read p95 ms", "read_p95_ms")):
        print(f"  {label:<17}{figures[key + '_before']:>10} {figures[key + '_during']:>9}")
    print(
        f"  longest write ms   {figures['longest_write_ms_before']:>10} "
        f"{figures['longest_write_ms_during']:>9}"
    )
    print(
        f"  acked writes {figures['writes_acked']}, lost {lost}, duplicated {duplicated}, "
        f"errors {load.errors}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
