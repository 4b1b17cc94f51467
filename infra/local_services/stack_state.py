"""The running stack's state file and lock, for ``--status`` and ``--stop`` from elsewhere.

``stack.lock`` is held (flock) by the supervising ``gm-infra app stack`` for its whole life,
so a second one refuses, and a crashed one leaves no false "running". ``stack.json`` holds
pids with their start times, ports and health paths; never a password or a URL with one.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from infra.local_services import mariadb, redis
from infra.local_services.processes import (
    http_answers,
    http_ok,
    https_ok,
    same_process,
    start_ticks,
)

STATE_FILE = "stack.json"
LOCK_FILE = "stack.lock"
VERSION = 1


@dataclass
class Lock:
    handle: IO[str]

    def release(self) -> None:
        with contextlib.suppress(OSError):
            fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()


def acquire(state_dir: Path) -> Lock | None:
    """The stack lock, or None when another ``gm-infra app stack`` holds it."""
    state_dir.mkdir(parents=True, exist_ok=True)
    handle = open(state_dir / LOCK_FILE, "a+")  # noqa: SIM115 (held for the stack's life)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return Lock(handle)


def held(state_dir: Path) -> bool:
    """Someone holds the lock (a stack is running or starting)."""
    if not (state_dir / LOCK_FILE).exists():
        return False
    lock = acquire(state_dir)
    if lock is None:
        return True
    lock.release()
    return False


def entry(pid: int, port: int | None, kind: str, health: str = "") -> dict[str, Any]:
    return {"pid": pid, "started": start_ticks(pid), "port": port, "kind": kind, "health": health}


def write(state_dir: Path, state: dict[str, Any]) -> None:
    """Atomically, readable by the owner only."""
    target = state_dir / STATE_FILE
    scratch = target.with_suffix(".tmp")
    scratch.touch(mode=0o600)
    scratch.write_text(json.dumps({"version": VERSION, **state}, indent=2) + "\n")
    os.replace(scratch, target)


def read(state_dir: Path) -> dict[str, Any] | None:
    try:
        data: dict[str, Any] = json.loads((state_dir / STATE_FILE).read_text())
    except (OSError, ValueError):
        return None
    return data if data.get("version") == VERSION else None


def remove(state_dir: Path) -> None:
    (state_dir / STATE_FILE).unlink(missing_ok=True)


def probe(process: dict[str, Any]) -> bool:
    """Live health: the recorded process is alive and answers as its kind should."""
    if not same_process(int(process["pid"]), process.get("started")):
        return False
    port = process.get("port")
    if not port:
        return True
    kind = process.get("kind")
    if kind == "mariadb":
        return mariadb.answers(int(port))
    if kind == "redis":
        return redis.ping(int(port))
    if kind == "nginx":  # the ALB stand-in refuses what does not come from the CDN
        return http_answers(int(port), str(process.get("health") or "/"))
    if kind == "cdn":  # the whole path: CDN, ALB stand-in, an app's health
        return https_ok(int(port), str(process.get("health") or "/"))
    return http_ok(int(port), str(process.get("health") or "/"))


def status(state: dict[str, Any]) -> dict[str, Any]:
    """``{"url", "cdn": {"url", "ca"}, "phase", "services": {NAME: {"pid", "port", "healthy",
    "kind"}}}``; ``url`` is the ALB stand-in's, ``cdn.url`` the viewers' (HTTPS, trusting
    ``cdn.ca``)."""
    processes: dict[str, dict[str, Any]] = state.get("processes", {})
    names = list(processes)
    with ThreadPoolExecutor(max_workers=max(1, len(names))) as pool:
        health = dict(zip(names, pool.map(lambda n: probe(processes[n]), names), strict=True))
    return {
        "url": state.get("url"),
        "cdn": state.get("cdn"),
        "phase": state.get("phase"),
        "services": {
            name: {
                "pid": processes[name]["pid"],
                "port": processes[name].get("port"),
                "healthy": health[name],
                "kind": processes[name].get("kind"),
            }
            for name in names
        },
    }
