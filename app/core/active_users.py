"""Active users: distinct sessions seen in the last five minutes, across instances.

Requests only note a session (a set insert under a lock); the publisher thread moves the
noted sessions into one Redis HyperLogLog per minute (``PFADD``, kept six minutes) and
counts the union of the last five (``PFCOUNT k1 .. k5``), so every instance reports the
same fleet-wide figure (read it with the Maximum statistic). Without Redis the count is
this process's own. Session ids are hashed first: a credential never leaves the process.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from typing import Any

WINDOW_SECONDS = 300
MINUTE = 60


def session_token(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()[:16]


def minute_keys(prefix: str, now: float, window: int = WINDOW_SECONDS) -> list[str]:
    """The HyperLogLog keys of the minutes that overlap the last ``window`` seconds."""
    current = int(now // MINUTE)
    return [f"{prefix}active-users:{m}" for m in range(current - window // MINUTE + 1, current + 1)]


class ActiveUsers:
    def __init__(
        self,
        redis_client: Any | None = None,
        prefix: str = "gm:",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.redis = redis_client
        self.prefix = prefix
        self.clock = clock
        self._lock = threading.Lock()
        self._pending: set[str] = set()  # noted since the last flush (Redis mode)
        self._last_seen: dict[str, float] = {}  # token -> time (in-process mode)

    def seen(self, session_id: str) -> None:
        """Called on the request path: cheap, never touches the network."""
        token = session_token(session_id)
        with self._lock:
            if self.redis is None:
                self._last_seen[token] = self.clock()
            else:
                self._pending.add(token)

    def count(self) -> int:
        """Distinct sessions in the window (publisher thread; may raise on a Redis error)."""
        now = self.clock()
        if self.redis is None:
            with self._lock:
                cutoff = now - WINDOW_SECONDS
                self._last_seen = {t: at for t, at in self._last_seen.items() if at >= cutoff}
                return len(self._last_seen)
        with self._lock:
            pending, self._pending = self._pending, set()
        keys = minute_keys(self.prefix, now)
        try:
            if pending:
                pipe = self.redis.pipeline()
                pipe.pfadd(keys[-1], *pending)
                pipe.expire(keys[-1], WINDOW_SECONDS + MINUTE)
                pipe.execute()
            return int(self.redis.pfcount(*keys))
        except Exception:
            with self._lock:  # keep them for the next try (bounded by distinct sessions)
                self._pending |= pending
            raise
