"""Concurrent password guessing (found after issue 11's fixes).

The throttle used to check the counters before verifying a password and count a failure
after it. Guesses sent at the same moment all passed the check before any was counted:
60 parallel guesses at one account got 17 password checks instead of 5 (real Redis), and
each instance and each burst did it again. Now every attempt takes its slot atomically
before the password is verified.
"""

from __future__ import annotations

import threading

from tests.app.conftest import Api
from tests.app.test_security_auth import ACCOUNT_LIMIT, client_at, new_address, registered

GUESSES = 24


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
