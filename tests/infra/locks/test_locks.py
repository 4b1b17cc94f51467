"""One operator at a time: a held stack lock refuses a second command at once, naming its
holder; a lock whose process is gone is taken over; ``gm-infra unlock`` clears a record
whose holder cannot be seen, after a confirmation."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from infra.commands import unlock as unlock_command
from infra.locks import LockedError, held, read_holder

REPO = Path(__file__).resolve().parents[3]
HOLDER = (
    "import sys\n"
    "from infra.locks import held\n"
    "with held(sys.argv[1], sys.argv[2]):\n"
    "    print('held', flush=True)\n"
    "    sys.stdin.readline()\n"
)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home"
    monkeypatch.setenv("GM_INFRA_HOME", str(folder))
    monkeypatch.setenv("GM_INFRA_STACKS_DIR", str(tmp_path / "stacks"))
    return folder


def _hold(name: str, command: str) -> subprocess.Popen[str]:
    """Another process holding ``name``'s lock; returns once it says it holds it."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, name, command],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "held"  # the event: the lock is taken
    return process


@pytest.fixture
def holder(home: Path) -> Iterator[subprocess.Popen[str]]:
    process = _hold("demo", "gm-infra rehearse --to 2 --stack demo")
    yield process
    if process.poll() is None:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=30)


def test_a_second_rehearse_is_refused_at_once_naming_the_first(
    holder: subprocess.Popen[str],
) -> None:
    started = time.monotonic()
    result = CliRunner().invoke(app, ["rehearse", "--stack", "demo"])
    elapsed = time.monotonic() - started
    assert result.exit_code == 1, result.output
    assert f"(pid {holder.pid}) running `gm-infra rehearse --to 2 --stack demo`" in result.output
    assert socket.gethostname() in result.output
    assert "emulator" not in result.output  # refused before starting anything
    assert elapsed < 5
    assert "Traceback" not in result.output


def test_a_promotion_is_refused_while_the_stack_is_locked(home: Path) -> None:
    process = _hold("blue", "gm-infra phase 2 --stack blue --engine local")
    try:
        result = CliRunner().invoke(
            app, ["phase", "2", "--stack", "blue", "--engine", "local", "--yes"]
        )
        assert result.exit_code == 1, result.output
        assert "stack blue is locked by" in result.output
        assert f"pid {process.pid}" in result.output
        assert not (home.parent / "stacks" / "Pulumi.blue.yaml").exists()
        # Another stack is not affected.
        with held("green", "test"):
            pass
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=30)
    with held("blue", "after"):  # released when its holder ended
        assert read_holder("blue") is not None
    assert read_holder("blue") is None  # a clean release leaves no record


def test_a_lock_whose_process_is_gone_is_taken_over(
    home: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    process = _hold("demo", "gm-infra rehearse --stack demo")
    os.kill(process.pid, signal.SIGKILL)  # no cleanup: the record stays, the OS lock goes
    process.wait(timeout=30)
    left = read_holder("demo")
    assert left is not None and left.pid == process.pid and left.gone()
    with held("demo", "gm-infra rehearse --stack demo") as mine:
        assert mine.pid == os.getpid()
    assert "stale lock of stack demo removed" in capfd.readouterr().err


def _foreign_record(home: Path, name: str) -> None:
    folder = home / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    record = {
        "name": name,
        "owner": "ana",
        "host": "build-7.example",
        "pid": 4242,
        "command": f"gm-infra phase 3 --stack {name}",
        "started": "2026-12-08T00:00:00+00:00",
    }
    (folder / f"stack-{name}.json").write_text(json.dumps(record))


def test_a_record_from_another_host_needs_unlock_with_confirmation(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _foreign_record(home, "prod")
    with (
        pytest.raises(LockedError, match=r"ana@build-7\.example \(pid 4242\)") as refused,
        held("prod", "test"),
    ):
        pytest.fail("took a lock another host holds")
    assert "gm-infra unlock --stack prod" in (refused.value.hint or "")

    runner = CliRunner()
    no_tty = runner.invoke(app, ["unlock", "--stack", "prod"])
    assert no_tty.exit_code == 2 and "--yes" in no_tty.output
    monkeypatch.setattr(unlock_command, "interactive", lambda: True)
    declined = runner.invoke(app, ["unlock", "--stack", "prod"], input="n\n")
    assert declined.exit_code == 1
    assert read_holder("prod") is not None  # declined: kept
    cleared = runner.invoke(app, ["unlock", "--stack", "prod", "--json"], input="y\n")
    assert cleared.exit_code == 0, cleared.output
    assert json.loads(cleared.stdout.splitlines()[-1])["cleared"]["host"] == "build-7.example"
    with held("prod", "test"):
        pass


def test_unlock_refuses_a_lock_a_running_process_holds(holder: subprocess.Popen[str]) -> None:
    result = CliRunner().invoke(app, ["unlock", "--stack", "demo", "--yes"])
    assert result.exit_code == 1
    assert f"pid {holder.pid}" in result.output and "running process" in result.output
    assert read_holder("demo") is not None


def test_unlock_of_an_unlocked_stack_says_so(home: Path) -> None:
    result = CliRunner().invoke(app, ["unlock", "--stack", "calm", "--yes"])
    assert result.exit_code == 0 and "not locked" in result.output
