"""Child processes a command started, stopped when it is interrupted.

``gm-infra`` turns SIGTERM (what CI sends on cancel) into the same exception as Ctrl-C, so
``finally`` blocks remove worktrees and temporary folders; the processes tracked here (the
base ref's planner, checkov) are stopped with their process groups before it exits.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import weakref

_LIVE: weakref.WeakSet[subprocess.Popen[str]] = weakref.WeakSet()


def track(process: subprocess.Popen[str]) -> subprocess.Popen[str]:
    """Stop ``process`` (and its group, when it leads one) if the command is interrupted."""
    _LIVE.add(process)
    return process


def stop_all(grace_s: float = 3.0) -> int:
    """Terminate every tracked child still running, then kill what outlives ``grace_s``.

    Returns how many were running."""
    running = [p for p in list(_LIVE) if p.poll() is None]
    for process in running:
        _signal(process, signal.SIGTERM)
    for process in running:
        try:
            process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            _signal(process, signal.SIGKILL)
            process.wait()
    _LIVE.clear()
    return len(running)


def _signal(process: subprocess.Popen[str], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if os.getpgid(process.pid) == process.pid:
            os.killpg(process.pid, sig)
        else:
            process.send_signal(sig)
