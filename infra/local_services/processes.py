"""Child processes in their own process groups: start, probe, stop, and find again by pid.

Each child leads its own session, so a Ctrl-C in the terminal reaches only the supervisor,
which then stops every group itself (nothing is orphaned, nothing is stopped twice).
A pid is only trusted together with its start time (``/proc/PID/stat``), so a recycled pid
is never signalled.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    log: Path
    port: int | None = None
    stop_signal: int = signal.SIGTERM

    @property
    def pid(self) -> int:
        return self.process.pid

    def running(self) -> bool:
        return self.process.poll() is None


def spawn(
    name: str,
    argv: list[str],
    *,
    log: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    port: int | None = None,
    stop_signal: int = signal.SIGTERM,
) -> Child:
    """Start ``argv`` in a new session with stdout and stderr appended to ``log``."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            start_new_session=True,
        )
    return Child(name, process, log, port, stop_signal)


def stop(child: Child, timeout: float = 20.0) -> None:
    """The child's own stop signal to its process group, then SIGKILL after ``timeout``.

    The group is signalled only while its leader is unreaped (alive or a zombie), so its
    id cannot have been reused by another group.
    """
    if child.process.returncode is not None:
        return
    signal_group(child.pid, child.stop_signal)
    deadline = time.monotonic() + timeout
    while not _exited(child.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    # the leader is a zombie now (or still running): its group id is still ours; anything
    # left in the group (a forked helper) goes with it
    signal_group(child.pid, signal.SIGKILL)
    child.process.wait(timeout=10)


def _exited(pid: int) -> bool:
    """The child has exited; it stays unreaped (WNOWAIT) so its pid is not reused yet."""
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


def signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def start_ticks(pid: int) -> int | None:
    """When ``pid`` started (clock ticks since boot), or None when there is no such process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # the command name (field 2) may hold spaces and parentheses: split after the last ")"
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[19])  # field 22 of the whole line


def same_process(pid: int, ticks: int | None) -> bool:
    """``pid`` is alive and is the process that was recorded (not a recycled pid)."""
    return ticks is not None and start_ticks(pid) == ticks and not _zombie(pid)


def _zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat[stat.rindex(")") + 2] == "Z"


def http_ok(port: int, path: str, timeout: float = 2.0) -> bool:
    """GET ``path`` on loopback answers 200."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"User-Agent": "gm-infra-app-stack"})
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def http_answers(port: int, path: str, timeout: float = 2.0) -> bool:
    """Something on loopback ``port`` answers HTTP at all (any status): a proxy whose
    answer to an anonymous probe is a refusal (the ALB stand-in without the CDN's header)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"User-Agent": "gm-infra-app-stack"})
        return connection.getresponse().status > 0
    except OSError:
        return False
    finally:
        connection.close()


def https_ok(port: int, path: str, ca: Path | None = None, timeout: float = 2.0) -> bool:
    """GET ``path`` over TLS on loopback answers 200 (the certificate checked against
    ``ca`` when given; a liveness probe from the state file passes none)."""
    import ssl

    context = ssl.create_default_context(cafile=str(ca) if ca else None)
    if ca is None:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=timeout, context=context)
    try:
        connection.request("GET", path, headers={"User-Agent": "gm-infra-app-stack"})
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def wait_until(
    ready: Callable[[], bool], child: Child, timeout: float, what: str, interval: float = 0.2
) -> None:
    """Poll ``ready`` until it holds; StartFailed when the child exits or time runs out."""
    deadline = time.monotonic() + timeout
    while not ready():
        if not child.running():
            raise StartFailed(child, f"{what}: exited with code {child.process.returncode}")
        if time.monotonic() > deadline:
            raise StartFailed(child, f"{what}: not ready within {timeout:.0f} s")
        time.sleep(interval)


def log_tail(path: Path, lines: int = 20) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


class StartFailed(RuntimeError):
    """A child did not become ready; ``child.log`` says why."""

    def __init__(self, child: Child, message: str) -> None:
        super().__init__(message)
        self.child = child
