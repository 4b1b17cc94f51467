"""A whole-call deadline for httpx: per-operation timeouts restart with each chunk, this
does not."""

from __future__ import annotations

import time

import httpcore
import httpx
import pytest

from app.services.http_deadline import Deadline, deadline_transport
from tests.app.scripted_server import ScriptedServer, answer, drip, head


def test_left_caps_the_timeout_and_raises_once_the_time_is_up() -> None:
    deadline = Deadline()
    assert deadline.left(5.0, httpcore.ReadTimeout) == 5.0  # no call in progress
    assert deadline.left(None, httpcore.ReadTimeout) is None
    with deadline.within(0.2):
        left = deadline.left(5.0, httpcore.ReadTimeout)
        assert left is not None and 0.0 < left <= 0.2
        assert deadline.left(0.05, httpcore.ReadTimeout) == 0.05
        time.sleep(0.25)
        with pytest.raises(httpcore.ReadTimeout):
            deadline.left(5.0, httpcore.ReadTimeout)
    assert deadline.left(5.0, httpcore.ReadTimeout) == 5.0  # over with the call


def test_a_dripping_server_times_out_at_the_deadline_not_never() -> None:
    server = ScriptedServer(drip(head(Content_Length="100000") + b"{", b" ", 0.05))
    deadline = Deadline()
    client = httpx.Client(transport=deadline_transport(deadline), timeout=1.0)
    try:
        started = time.monotonic()
        with pytest.raises(httpx.ReadTimeout), deadline.within(0.5):
            client.get(server.url)
        # Not before the deadline, and not the drip's 100,000 x 0.05 s: ten times the
        # deadline is generous for a loaded machine and still far from never.
        assert 0.4 < time.monotonic() - started < 10 * 0.5  # 0.4: timers may round down
        ok = ScriptedServer(answer(b"{}"))
        with deadline.within(1.0):  # the same client still works
            assert client.get(ok.url).json() == {}
        ok.close()
    finally:
        client.close()
        server.close()
