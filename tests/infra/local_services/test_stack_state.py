"""The stack's lock and state file."""

from __future__ import annotations

import os
from pathlib import Path

from infra.local_services.stack_state import acquire, entry, held, read, remove, status, write


def test_the_stack_lock_refuses_a_second_holder(tmp_path: Path) -> None:
    first = acquire(tmp_path)
    assert first is not None
    assert acquire(tmp_path) is None
    assert held(tmp_path)
    first.release()
    assert not held(tmp_path)


def test_the_state_file_is_private_and_status_probes_it(tmp_path: Path) -> None:
    me = entry(os.getpid(), None, "supervisor")
    gone = {**entry(os.getpid(), None, "app"), "started": -1}
    write(tmp_path, {"url": "http://127.0.0.1:1", "phase": 2, "processes": {"a": me, "b": gone}})
    assert (tmp_path / "stack.json").stat().st_mode & 0o777 == 0o600
    state = read(tmp_path)
    assert state is not None
    report = status(state)
    assert report["url"] == "http://127.0.0.1:1"
    assert report["services"]["a"] == {
        "pid": os.getpid(),
        "port": None,
        "healthy": True,
        "kind": "supervisor",
    }
    assert report["services"]["b"]["healthy"] is False
    remove(tmp_path)
    assert read(tmp_path) is None
