"""The last distinct questions' vectors, shared by every encoder of single queries.

Keyed by the question lower-cased with its whitespace folded, so "Solar  jobs" and
"solar jobs" are one entry. Thread-safe; the vectors it returns are read-only.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float32]
QUERY_CACHE_SIZE = 2048


def question_key(text: str) -> str:
    return " ".join(text.lower().split())


class QueryCache:
    """A least-recently-used map of question -> vector, at most ``size`` entries."""

    def __init__(self, size: int = QUERY_CACHE_SIZE) -> None:
        self.size = size
        self._recent: OrderedDict[str, Vector] = OrderedDict()
        self._lock = threading.Lock()

    def through(self, text: str, compute: Callable[[str], Vector]) -> Vector:
        """The cached vector of ``text``, else ``compute(text)``, remembered.

        ``compute`` runs outside the lock: a slow model or AI service does not hold up
        hits for other questions.
        """
        key = question_key(text)
        with self._lock:
            cached = self._recent.get(key)
            if cached is not None:
                self._recent.move_to_end(key)
                return cached
        vector = compute(text)
        vector.setflags(write=False)
        with self._lock:
            self._recent[key] = vector
            if len(self._recent) > self.size:
                self._recent.popitem(last=False)
        return vector
