"""Drive the local data rehearsal of a reshard through the app's HTTP API (see the README).

  populate  register candidates, apply each to some jobs, remember what they applied to
  write     keep applying (random candidates, new jobs) for --seconds; remember each 201
  check     log every candidate in and compare GET /api/applications with what was
            remembered: exit 1 naming the first users whose rows differ

Run: .venv/bin/python scripts/reshard_rehearsal.py populate --users 60 --per-user 5
The file (default .gm-infra/rehearsal.json) holds the rehearsal candidates' throwaway
passwords; it stays on this machine.
"""

from __future__ import annotations

import argparse
import json
import random
import secrets
import sys
import time
from pathlib import Path
from typing import Any

import httpx


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text()) if path.exists() else {"users": []}


def save(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1))
    path.chmod(0o600)


def login(base: str, user: dict[str, Any]) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    answer = client.post(
        "/api/auth/login", json={"email": user["email"], "password": user["password"]}
    )
    answer.raise_for_status()
    return client


def job_ids(base: str) -> list[int]:
    answer = httpx.get(f"{base}/api/jobs", params={"limit": 100}, timeout=30)
    answer.raise_for_status()
    return [job["id"] for job in answer.json()["jobs"]]


def populate(base: str, path: Path, users: int, per_user: int) -> int:
    data = load(path)
    jobs = job_ids(base)
    for _ in range(users):
        email = f"rehearsal-{secrets.token_hex(5)}@example.org"
        password = secrets.token_urlsafe(16)
        client = httpx.Client(base_url=base, timeout=30)
        registered = client.post(
            "/api/auth/register", json={"email": email, "password": password, "role": "candidate"}
        )
        registered.raise_for_status()
        user = {"email": email, "password": password, "jobs": []}
        me = client.post("/api/auth/login", json={"email": email, "password": password})
        me.raise_for_status()
        user["id"] = me.json()["id"]
        for job in random.sample(jobs, min(per_user, len(jobs))):
            if client.post(f"/api/jobs/{job}/apply").status_code == 201:
                user["jobs"].append(job)
        data["users"].append(user)
        client.close()
    save(path, data)
    print(f"{users} candidates, {sum(len(u['jobs']) for u in data['users'])} applications")
    return 0


def write(base: str, path: Path, seconds: float) -> int:
    data = load(path)
    jobs = job_ids(base)
    clients = {u["email"]: login(base, u) for u in data["users"]}
    acked = errors = 0
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            user = random.choice(data["users"])
            free = [j for j in jobs if j not in user["jobs"]]
            if not free:
                continue
            job = random.choice(free)
            answer = clients[user["email"]].post(f"/api/jobs/{job}/apply")
            if answer.status_code == 201:
                user["jobs"].append(job)
                acked += 1
            else:
                errors += 1
    except KeyboardInterrupt:
        pass
    save(path, data)
    print(f"{acked} applications acknowledged, {errors} refused")
    return 0


def check(base: str, path: Path) -> int:
    data = load(path)
    wrong = []
    for user in data["users"]:
        client = login(base, user)
        mine = client.get("/api/applications")
        mine.raise_for_status()
        seen = sorted(a["job_id"] for a in mine.json())
        if seen != sorted(user["jobs"]):
            wrong.append(user["id"])
        client.close()
    total = sum(len(u["jobs"]) for u in data["users"])
    if wrong:
        print(f"{len(wrong)} users see different rows: user ids {wrong[:10]}")
        return 1
    print(f"{len(data['users'])} users, {total} applications: every user sees exactly their rows")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["populate", "write", "check"])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--file", type=Path, default=Path(".gm-infra/rehearsal.json"))
    parser.add_argument("--users", type=int, default=60)
    parser.add_argument("--per-user", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    try:
        if args.action == "populate":
            return populate(args.url, args.file, args.users, args.per_user)
        if args.action == "write":
            return write(args.url, args.file, args.seconds)
        return check(args.url, args.file)
    except httpx.HTTPError as error:
        print(f"error: the app at {args.url} answered badly: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
