"""Concurrent password guessing (found after issue 11's fixes).

The throttle used to check the counters before verifying a password and count a failure
after it. Guesses sent at the same moment all passed the check before any was counted:
60 parallel guesses at one account got 17 password checks instead of 5 (real Redis), and
each instance and each burst did it again. Now every attempt takes its slot atomically
before the password is verified.

Also: IPv6 clients were counted per address, not per network.
"""

from __future__ import annotations

import threading
import uuid

from tests.app.api.routes.test_security_auth import (
    ACCOUNT_LIMIT,
    client_at,
    new_address,
    registered,
)
from tests.app.conftest import PASSWORD, Api, unique_email

GUESSES = 24
PER_CLIENT = 30  # the default: 30 failed logins a minute per client


def test_parallel_guesses_get_no_more_password_checks_than_the_limit(api: Api) -> None:
    email = registered(api)
    barrier = threading.Barrier(GUESSES)
    statuses: list[int] = []

    def guess(index: int) -> None:
        client = client_at(api, new_address())  # spread over addresses: only the account limits
        barrier.wait()
        answer = client.post("/api/auth/login", json={"email": email, "password": f"guess-{index}"})
        statuses.append(answer.status_code)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(GUESSES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(set(statuses)) == [401, 429]
    assert statuses.count(401) <= ACCOUNT_LIMIT, statuses


def test_ipv6_clients_are_throttled_by_their_slash_64(api: Api) -> None:
    """One IPv6 host usually has a whole /64: counting each address apart let a single
    client spray from 2^64 addresses without ever reaching the per-client limit."""
    prefix = f"2001:db8:{uuid.uuid4().int % 0xFFFF:x}:{uuid.uuid4().int % 0xFFFF:x}"
    for index in range(PER_CLIENT):
        client = client_at(api, f"{prefix}::{index + 1:x}")
        body = {"email": unique_email(f"v6spray{index}"), "password": "Summer2026!"}
        assert client.post("/api/auth/login", json=body).status_code == 401
    victim = registered(api)
    good = {"email": victim, "password": PASSWORD}
    same_host = client_at(api, f"{prefix}:ffff:ffff:ffff:ffff")
    assert same_host.post("/api/auth/login", json=good).status_code == 429
    other_network = client_at(api, f"2001:db8:ffff:{uuid.uuid4().int % 0xFFFF:x}::1")
    assert other_network.post("/api/auth/login", json=good).status_code == 200
