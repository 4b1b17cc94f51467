"""``gm-infra local start|stop``: the emulator as a background process with a pid file."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from infra.emulator.server import reachable
from infra.errors import GmError
from infra.extras import require_extra
from infra.paths import data_dir
from infra.ports import LOOPBACK, free_port

START_TIMEOUT_S = 20.0


@dataclass(frozen=True)
class EmulatorProcess:
    pid: int
    endpoint: str


def pid_file() -> Path:
    return data_dir() / "emulator.json"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def current() -> EmulatorProcess | None:
    """The emulator gm-infra started, if its process is still alive."""
    path = pid_file()
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text())
        found = EmulatorProcess(pid=int(data["pid"]), endpoint=str(data["endpoint"]))
    except (ValueError, KeyError, TypeError):
        return None
    return found if _alive(found.pid) else None


def running_endpoint() -> str | None:
    found = current()
    return found.endpoint if found is not None and reachable(found.endpoint) else None


def start_background(port: int = 0) -> tuple[EmulatorProcess, bool]:
    """Start the emulator in the background unless one runs; (process, started now)."""
    found = current()
    if found is not None and reachable(found.endpoint):
        return found, False
    require_extra("local", "gm-infra local start")
    chosen = port or free_port()
    endpoint = f"http://{LOOPBACK}:{chosen}"
    log = data_dir() / "emulator.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        child = subprocess.Popen(
            [sys.executable, "-m", "infra.emulator.serve", "--port", str(chosen)],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    deadline = time.monotonic() + START_TIMEOUT_S
    while not reachable(endpoint):
        if child.poll() is not None or time.monotonic() > deadline:
            child.kill()
            raise GmError(f"the emulator did not start on {endpoint}", hint=f"see its log: {log}")
        time.sleep(0.1)
    process = EmulatorProcess(pid=child.pid, endpoint=endpoint)
    pid_file().write_text(json.dumps({"pid": child.pid, "endpoint": endpoint}) + "\n")
    return process, True


def stop_background() -> EmulatorProcess | None:
    """Stop the emulator gm-infra started (by its recorded pid); None if none ran."""
    found = current()
    pid_file().unlink(missing_ok=True)
    if found is None:
        return None
    os.kill(found.pid, signal.SIGTERM)
    deadline = time.monotonic() + 5.0
    while _alive(found.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(found.pid, os.WNOHANG)
    return found
