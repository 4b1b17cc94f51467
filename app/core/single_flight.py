"""Concurrent callers asking for the same key share one computation (no cache stampede).

When a cached figure expires, every request arriving before it is computed again would
run the same expensive queries; here the first computes and the others wait for its
result (or its error).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any


class SingleFlight:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[str, Future[Any]] = {}
        self.computed = 0  # computations run (for tests)

    def run(self, key: str, compute: Callable[[], Any]) -> Any:
        with self._lock:
            running = self._running.get(key)
            if running is None:
                mine: Future[Any] = Future()
                self._running[key] = mine
        if running is not None:
            return running.result()
        try:
            self.computed += 1
            result = compute()
        except BaseException as error:
            mine.set_exception(error)
            raise
        else:
            mine.set_result(result)
            return result
        finally:
            with self._lock:
                del self._running[key]
