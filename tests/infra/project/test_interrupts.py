"""SIGTERM (what CI sends on cancel) ends a command like Ctrl-C: exit 130, git worktrees
removed, child processes (the base ref's planner, checkov) stopped, temporary folders gone,
and a line saying how to resume."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from tests.infra.project.conftest import GM, git
from tests.system_tools import require_checkov


def _children(pid: int) -> list[int]:
    """Every descendant of ``pid`` (from /proc)."""
    found: list[int] = []
    parents = {pid}
    changed = True
    while changed:
        changed = False
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) in found:
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid in parents:
                found.append(int(entry.name))
                parents.add(int(entry.name))
                changed = True
    return found


def _wait_for(event: Callable[[], bool], what: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while not event():
        assert process.poll() is None, f"ended before {what}: {process.communicate()}"
        assert time.monotonic() < deadline, f"no {what} within 120 s"
        time.sleep(0.05)


def _start(cwd: Path, tmp: Path, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "GM_INFRA_STACKS_DIR"}
    env.update(
        {"TMPDIR": str(tmp), "GM_INFRA_HOME": str(tmp.parent / "home"), "GM_INFRA_PLAN_CACHE": "0"}
    )
    return subprocess.Popen(
        [*GM, *args], cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _planner_runs(pid: int) -> bool:
    for child in _children(pid):
        try:
            if "infra.plan import build" in Path(f"/proc/{child}/cmdline").read_text():
                return True
        except OSError:
            continue
    return False


def _alive(pids: list[int]) -> list[int]:
    alive = []
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.append(pid)
    return alive


def test_sigterm_during_a_preview_cleans_up_and_says_how_to_resume(
    clone: Path, tmp_path: Path
) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    git(clone, "branch", "before")
    (clone / "infra" / "stacks" / "Pulumi.phase2.yaml").write_text(
        "config:\n  aws:region: us-east-1\n  green-matchers:phase: 2\n"
        "  green-matchers:api: {maxSize: 11}\n"
    )
    git(clone, "commit", "--quiet", "-am", "phase2: maxSize 11")
    process = _start(clone, tmp, "preview", "--base-ref", "before", "--stacks", "phase2")
    # The event: the base ref's worktree is registered and its planner runs.
    _wait_for(lambda: git(clone, "worktree", "list").count("\n") == 2, "worktree", process)
    _wait_for(lambda: _planner_runs(process.pid), "planner subprocess", process)
    children = _children(process.pid)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "interrupted (SIGTERM)" in err and "Traceback" not in err
    assert "rerun `gm-infra preview --base-ref before --stacks phase2` to resume" in err
    assert git(clone, "worktree", "list").count("\n") == 1  # the worktree is gone
    assert not _alive(children)
    assert not list(tmp.iterdir())  # no gm-preview-* folder left


def test_sigterm_during_validation_stops_checkov(tmp_path: Path) -> None:
    require_checkov()
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    repo = Path(__file__).resolve().parents[3]
    process = _start(repo, tmp, "validate", "--phase", "4", "--judges", "checkov")

    def checkov_runs() -> bool:
        return any(
            "checkov" in Path(f"/proc/{pid}/cmdline").read_text(errors="replace")
            for pid in _alive(_children(process.pid))
            if Path(f"/proc/{pid}/cmdline").exists()
        )

    _wait_for(checkov_runs, "checkov", process)
    children = _children(process.pid)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "child process(es) stopped" in err
    assert not _alive(children)
    assert not list(tmp.glob("gm-checkov-*"))
