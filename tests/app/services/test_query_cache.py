"""The shared cache of single questions' vectors (the local embedder and the AI client)."""

from __future__ import annotations

import numpy as np
import pytest

from app.services.query_cache import QueryCache, Vector


def test_the_same_question_spelt_differently_is_computed_once() -> None:
    calls: list[str] = []

    def compute(text: str) -> Vector:
        calls.append(text)
        return np.ones(3, dtype=np.float32)

    cache = QueryCache()
    first = cache.through("Solar  Jobs", compute)
    again = cache.through(" solar jobs ", compute)
    assert calls == ["Solar  Jobs"] and again is first
    with pytest.raises(ValueError):
        first[0] = 2.0  # shared between callers: read-only


def test_the_least_recently_used_question_is_forgotten() -> None:
    calls: list[str] = []

    def compute(text: str) -> Vector:
        calls.append(text)
        return np.zeros(2, dtype=np.float32)

    cache = QueryCache(size=2)
    for text in ("a", "b", "a", "c", "a", "b"):
        cache.through(text, compute)
    assert calls == ["a", "b", "c", "b"]  # "a" was used last before "c" came: "b" went
