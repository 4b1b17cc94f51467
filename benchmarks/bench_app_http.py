"""HTTP figures of the app with one uvicorn worker, 50,000 jobs, load from wrk on loopback.

Seeds an embedded (SQLite) database with 50,000 demo-template jobs carrying synthetic
vectors of the bundled model's size, starts ``uvicorn --factory app.main:create_app``
with one worker on a free loopback port, then measures with wrk (apt-get install wrk):
  * GET /health
  * GET /api/jobs (the same page: a query-cache hit)
  * GET /api/jobs?skip=<0..999> (first 50 pages; the first pass misses the cache: count
    + page query on 50,000 rows)
  * POST /api/match (embeds the text, then searches the HNSW index)
and reports requests/s, p50 and p95, plus the server process's resident memory.

Run: .venv/bin/python benchmarks/bench_app_http.py [--jobs 50000] [--seconds 10] [--json]
Every request goes to 127.0.0.1 only; each wrk run stops after --seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np
from sqlalchemy import func, insert, select

ROOT = Path(__file__).resolve().parent.parent
LUA = """
local paths = {}
counter = 0
request = function()
  if wrk.method == "POST" then
    counter = counter + 1  -- a different question each time: no query-vector cache hits
    local body = string.format('{"text": "%s %d", "limit": 10}', wrk.body, counter)
    return wrk.format("POST", nil, nil, body)
  end
  if os.getenv("GM_RANDOM_SKIP") then
    counter = counter + 1
    return wrk.format("GET", "/api/jobs?limit=20&skip=" .. ((counter * 7) % 1000))
  end
  return wrk.format()
end
done = function(summary, latency, requests)
  io.write(string.format("GMRESULT %d %f %f %f %d\\n", summary.requests,
    summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.timeout))
end
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def seed(data_dir: Path, jobs: int) -> None:
    """Migrate an SQLite file and insert ``jobs`` rows with unit vectors (bulk insert)."""
    from app.core.db import Database
    from app.core.settings import BUNDLED_MODEL, Settings
    from app.migrate import upgrade_all
    from app.models import Job
    from app.services import demo_data

    settings = Settings(data_dir=data_dir, database_url="", redis_url="")
    database = Database.from_settings(settings)
    upgrade_all(database)
    rng = np.random.default_rng(11)
    per_sdg = -(-jobs // 17)
    with database.write_session() as session:
        employers = demo_data.build_employers()
        session.add_all(employers)
        session.flush()
        templates = demo_data.build_jobs(
            per_sdg=per_sdg, seed=3, employer_ids=[e.id for e in employers]
        )[:jobs]
        vectors = rng.standard_normal((len(templates), 384)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        rows = [
            {
                "employer_id": j.employer_id,
                "title": j.title,
                "description": j.description,
                "sdg_tag": j.sdg_tag,
                "salary_min": j.salary_min,
                "salary_max": j.salary_max,
                "location": j.location,
                "created_at": j.created_at,
                "embedding": vectors[i].tobytes(),
                "embedding_dim": 384,
                "embedding_model": BUNDLED_MODEL,
            }
            for i, j in enumerate(templates)
        ]
        for start in range(0, len(rows), 5000):
            session.execute(insert(Job), rows[start : start + 5000])
        session.commit()
        assert session.scalar(select(func.count()).select_from(Job)) == jobs
    database.dispose()


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def wrk(url: str, seconds: int, lua: Path, *, body: str | None = None, random_skip: bool = False):
    cmd = ["wrk", "-t1", "-c16", f"-d{seconds}s", "-s", str(lua), url]
    env = dict(os.environ)
    if random_skip:
        env["GM_RANDOM_SKIP"] = "1"
    if body is not None:
        script = lua.with_name("post.lua")
        script.write_text(
            'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
            f"wrk.body = {json.dumps(body)}\n" + lua.read_text()
        )
        cmd[5] = str(script)
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True).stdout
    match = re.search(r"GMRESULT (\d+) ([\d.]+) ([\d.]+) ([\d.]+) (\d+)", out)
    assert match, out
    requests, duration, p50, p95, errors = match.groups()
    return {
        "rps": round(int(requests) / float(duration), 1),
        "p50_ms": round(float(p50), 2),
        "p95_ms": round(float(p95), 2),
        "errors": int(errors),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=50_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install -y wrk")

    work = Path(tempfile.mkdtemp(prefix="gm-bench-"))
    started = time.perf_counter()
    seed(work, args.jobs)
    seed_s = time.perf_counter() - started
    port = free_port()
    env = dict(os.environ, DATA_DIR=str(work), HF_HUB_OFFLINE="1", DEMO_DATA="false")
    for name in ("DATABASE_URL", "DATABASE_URL_READ", "DATABASE_SHARD_URLS", "REDIS_URL"):
        env.pop(name, None)
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "app.main:create_app",
         "--host", "127.0.0.1", "--port", str(port), "--workers", "1", "--log-level", "warning",
         "--no-access-log"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    results: dict[str, object] = {"jobs": args.jobs, "seed_s": round(seed_s, 1)}
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(base + "/health", timeout=1).read()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    sys.exit("the app did not start")
                time.sleep(0.3)
        results["rss_mb_idle"] = round(rss_mb(server.pid), 1)
        request = urllib.request.Request(
            base + "/api/match", data=b'{"text": "repair wind turbines"}',
            headers={"Content-Type": "application/json"},
        )  # fmt: skip
        t0 = time.perf_counter()
        urllib.request.urlopen(request, timeout=300).read()  # loads the 50,000-row index
        results["first_match_s"] = round(time.perf_counter() - t0, 1)
        results["rss_mb_with_index"] = round(rss_mb(server.pid), 1)
        lua = work / "gm.lua"
        lua.write_text(LUA)
        results["GET /health"] = wrk(base + "/health", args.seconds, lua)
        results["GET /api/jobs (cache hit)"] = wrk(base + "/api/jobs", args.seconds, lua)
        results["GET /api/jobs?skip=0..999"] = wrk(
            base + "/api/jobs", args.seconds, lua, random_skip=True
        )
        results["POST /api/match"] = wrk(
            base + "/api/match", args.seconds, lua,
            body="jobs repairing wind turbines near the coast, question",
        )  # fmt: skip
        results["rss_mb_after_load"] = round(rss_mb(server.pid), 1)
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{args.jobs} jobs, SQLite, one uvicorn worker, wrk -t1 -c16 -d{args.seconds}s")
    for key, value in results.items():
        if isinstance(value, dict):
            print(
                f"  {key:28} {value['rps']:8.1f} req/s  p50 {value['p50_ms']:7.2f} ms  "
                f"p95 {value['p95_ms']:7.2f} ms  errors {value['errors']}"
            )
        else:
            print(f"  {key:28} {value}")


if __name__ == "__main__":
    main()
