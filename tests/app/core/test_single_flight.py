"""SingleFlight: concurrent callers of one key share one computation and its error."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from app.core.single_flight import SingleFlight


def test_concurrent_callers_share_one_result_and_later_ones_compute_again() -> None:
    flight = SingleFlight()
    entered, release = threading.Event(), threading.Event()

    def slow() -> str:
        entered.set()
        release.wait(5)
        return "figures"

    with ThreadPoolExecutor(8) as pool:
        leader = pool.submit(flight.run, "k", slow)
        assert entered.wait(5)
        followers = [pool.submit(flight.run, "k", lambda: "not run") for _ in range(7)]
        release.set()
        assert leader.result(5) == "figures"
        assert [f.result(5) for f in followers] == ["figures"] * 7
    assert flight.computed == 1
    assert flight.run("k", lambda: "again") == "again"  # nothing kept after the flight
    assert flight.run("other", lambda: "other") == "other"


def test_an_error_reaches_every_waiter_and_is_not_kept() -> None:
    flight = SingleFlight()
    entered, release = threading.Event(), threading.Event()

    def failing() -> str:
        entered.set()
        release.wait(5)
        raise RuntimeError("database down")

    with ThreadPoolExecutor(3) as pool:
        leader = pool.submit(flight.run, "k", failing)
        assert entered.wait(5)
        follower = pool.submit(flight.run, "k", lambda: "not run")
        release.set()
        for future in (leader, follower):
            with pytest.raises(RuntimeError, match="database down"):
                future.result(5)
    assert flight.run("k", lambda: "fine") == "fine"
