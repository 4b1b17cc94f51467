"""Children in their own process groups: stop takes the whole group; pids are verified."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

from infra.local_services.processes import same_process, spawn, start_ticks, stop

# A parent that ignores SIGTERM for a moment and a grandchild that ignores it for good.
FAMILY = """
import os, signal, subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c",
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)"])
open(sys.argv[1], "w").write(str(child.pid))
time.sleep(600)
"""


def test_stop_takes_the_whole_process_group(tmp_path: Path) -> None:
    pid_file = tmp_path / "grandchild"
    child = spawn("family", [sys.executable, "-c", FAMILY, str(pid_file)], log=tmp_path / "log")
    deadline = time.monotonic() + 120  # bounds on "never": each loop ends on its event
    while not pid_file.exists() or not pid_file.read_text():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    grandchild = int(pid_file.read_text())
    ticks = start_ticks(grandchild)
    assert same_process(grandchild, ticks)
    stop(child, timeout=60)  # returns once the child exited; SIGKILL only after that
    deadline = time.monotonic() + 120
    while same_process(grandchild, ticks):  # reaped by init once killed
        assert time.monotonic() < deadline, "the grandchild survived its group's stop"
        time.sleep(0.05)
    assert child.process.returncode == -signal.SIGTERM


def test_a_recorded_pid_with_another_start_time_is_not_the_same_process() -> None:
    me = os.getpid()
    ticks = start_ticks(me)
    assert ticks is not None
    assert same_process(me, ticks)
    assert not same_process(me, ticks + 1)
    assert not same_process(me, None)
