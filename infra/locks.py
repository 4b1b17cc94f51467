"""One operator at a time: a lock per stack (and one for the emulator), with its holder.

The OS lock is ``filelock``'s (``flock`` on the lock file under ``<working data>/locks``):
the kernel releases it when its process ends, however it ends, so a second command is
refused at once while the first runs and never waits on a dead one. Beside it a JSON
record names the holder (owner, host, pid, command, start time) for the refusal. A record
left by a process that is gone (killed with SIGKILL) is stale: the next command on this
host says so and takes over; one from another host (a shared folder) is cleared with
``gm-infra unlock``.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import socket
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import typer
from filelock import FileLock, Timeout

from infra.errors import CheckFailedError, GmError
from infra.paths import locks_dir
from infra.writable import check_data_dir

EMULATOR = "emulator"


class LockedError(CheckFailedError):
    """Someone else holds the lock (exit 1: nothing was done)."""


@dataclass(frozen=True)
class Holder:
    name: str  # "stack demo" or "emulator"
    owner: str
    host: str
    pid: int
    command: str
    started: str  # ISO 8601, UTC

    def describe(self) -> str:
        return (
            f"{self.owner}@{self.host} (pid {self.pid}) running `{self.command}` "
            f"since {self.started}"
        )

    def gone(self) -> bool:
        """True when the holder ran on this host and its process no longer exists."""
        if self.host != socket.gethostname():
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False


def _key(name: str) -> str:
    return EMULATOR if name == EMULATOR else f"stack-{name}"


def _paths(name: str) -> tuple[Path, Path]:
    folder = locks_dir()
    return folder / f"{_key(name)}.lock", folder / f"{_key(name)}.json"


def read_holder(name: str) -> Holder | None:
    """The recorded holder of ``name``'s lock, if any (a damaged record reads as none)."""
    _, record = _paths(name)
    try:
        return Holder(**json.loads(record.read_text()))
    except (OSError, ValueError, TypeError):
        return None


def _label(name: str) -> str:
    return "the emulator" if name == EMULATOR else f"stack {name}"


@contextlib.contextmanager
def held(name: str, command: str) -> Iterator[Holder]:
    """Hold ``name``'s lock (a stack, or ``EMULATOR``) while the block runs; refuse at once,
    naming the holder, when another process holds it."""
    check_data_dir()
    lock_path, record = _paths(name)
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(lock_path, blocking=False)
    try:
        lock.acquire()
    except Timeout:
        holder = read_holder(name)
        who = holder.describe() if holder else "another process"
        raise LockedError(
            f"{_label(name)} is locked by {who}",
            hint="wait for it to finish; nothing was done",
        ) from None
    try:
        left = read_holder(name)
        if left is not None and not left.gone():
            # Our OS lock is free, yet the record names a process we cannot see: another host.
            raise LockedError(
                f"{_label(name)} is locked by {left.describe()}",
                hint=f"if that run is over: gm-infra unlock {_unlock_args(name)}",
            )
        if left is not None:
            typer.secho(
                f"note: stale lock of {_label(name)} removed: {left.describe()} (process gone)",
                err=True,
                fg=typer.colors.YELLOW,
            )
        holder = Holder(
            name=name,
            owner=getpass.getuser(),
            host=socket.gethostname(),
            pid=os.getpid(),
            command=command,
            started=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        tmp = record.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(asdict(holder), indent=2) + "\n")
        tmp.replace(record)
        try:
            yield holder
        finally:
            record.unlink(missing_ok=True)
    finally:
        lock.release()


def _unlock_args(name: str) -> str:
    return "--emulator" if name == EMULATOR else f"--stack {name}"


def held_now(name: str) -> bool:
    """True when a live process holds ``name``'s OS lock."""
    lock_path, _ = _paths(name)
    if not lock_path.exists():
        return False
    probe = FileLock(lock_path, blocking=False)
    try:
        probe.acquire()
    except Timeout:
        return True
    probe.release()
    return False


def clear(name: str) -> Holder | None:
    """Remove ``name``'s record; refused while a live process holds the lock."""
    check_data_dir()
    if held_now(name):
        holder = read_holder(name)
        raise GmError(
            f"{_label(name)} is held by a running process: "
            f"{holder.describe() if holder else 'unknown'}",
            hint="stop that command (Ctrl-C) instead: its lock goes with it",
            exit_code=1,
        )
    holder = read_holder(name)
    _, record = _paths(name)
    record.unlink(missing_ok=True)
    return holder
