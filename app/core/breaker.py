"""A circuit breaker per dependency (each database server, each Redis store).

closed ──failure──► open ──cool-down over──► half-open ──probe succeeds──► closed
                     ▲                            │
                     └──────probe fails───────────┘

While open, callers are refused at once instead of waiting on a dependency that timed
out or refused: a hung server costs one timeout, not one per request. After the cool-down
one caller (the probe) may try it again; the others keep being refused until it answers.

Failures are reported by whoever sees them (SQLAlchemy's error events, the Redis store),
which is why this is not a call-wrapping library breaker: the failure and the call are in
different places. State changes are logged once each, so an outage does not flood the log.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable
from typing import Literal

log = logging.getLogger("app.breaker")

State = Literal["closed", "open", "half-open"]


def cause_of(error: BaseException) -> str:
    """A short, generic name for why a dependency failed (never the driver's text)."""
    seen: set[int] = set()
    current: BaseException | None = error
    text = ""
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, CircuitOpen):
            return current.cause
        if isinstance(current, TimeoutError | socket.timeout):
            return "timeout"
        if isinstance(current, ConnectionRefusedError):
            return "refused"
        text += f" {type(current).__name__} {current}".lower()
        current = current.__cause__ or current.__context__
    if "timed out" in text or "timeout" in text:
        return "timeout"
    if "refused" in text:
        return "refused"
    if "lost connection" in text or "gone away" in text or "reset by peer" in text:
        return "connection lost"
    if "access denied" in text or "auth" in text:
        return "access denied"
    return "unreachable"


class CircuitOpen(Exception):
    """Raised instead of calling a dependency whose breaker is open."""

    def __init__(self, name: str, cause: str) -> None:
        super().__init__(f"{name} is unavailable ({cause}); not tried until its cool-down ends")
        self.name = name
        self.cause = cause


class CircuitBreaker:
    """Thread-safe; ``clock`` is injectable so tests need not sleep."""

    def __init__(
        self,
        name: str,
        *,
        cool_down: float,
        clock: Callable[[], float] = time.monotonic,
        on_change: Callable[[str, State], None] = lambda name, state: None,
    ) -> None:
        self.name = name
        self.cool_down = cool_down
        self.clock = clock
        self.on_change = on_change
        self.cause = ""  # why it last opened
        self._state: State = "closed"
        self._opened_at = 0.0
        self._probe_started: float | None = None
        self._lock = threading.Lock()

    @property
    def state(self) -> State:
        return self._state

    def _probe_due(self, now: float) -> bool:
        if self._state == "open":
            return now - self._opened_at >= self.cool_down
        if self._state == "half-open":  # a probe that never reported back is given up on
            return self._probe_started is None or now - self._probe_started >= self.cool_down
        return False

    def available(self) -> bool:
        """Whether a call would be let through now (does not take the probe)."""
        with self._lock:
            return self._state == "closed" or self._probe_due(self.clock())

    def allow(self) -> bool:
        """Whether to call the dependency now; in half-open only the one probe may."""
        with self._lock:
            if self._state == "closed":
                return True
            now = self.clock()
            if not self._probe_due(now):
                return False
            self._set("half-open")
            self._probe_started = now
            return True

    def check(self) -> None:
        """``allow()`` or raise ``CircuitOpen``."""
        if not self.allow():
            raise CircuitOpen(self.name, self.cause)

    def record_success(self) -> None:
        if self._state == "closed":  # the common case, without the lock
            return
        with self._lock:
            self._probe_started = None
            if self._state != "closed":
                log.warning("%s answers again; circuit closed", self.name)
                self._set("closed")

    def record_failure(self, cause: str) -> None:
        with self._lock:
            self._probe_started = None
            self._opened_at = self.clock()
            self.cause = cause
            if self._state == "closed":
                log.warning(
                    "%s is unavailable (%s): skipped for %.0fs, then probed",
                    self.name,
                    cause,
                    self.cool_down,
                )
            else:
                log.debug("%s still unavailable (%s)", self.name, cause)
            self._set("open")

    def _set(self, state: State) -> None:
        if state != self._state:
            self._state = state
            self.on_change(self.name, state)
