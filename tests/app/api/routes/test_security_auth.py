"""Brute force and enumeration: throttled logins, uniform answers, equal timing."""

from __future__ import annotations

import statistics
import time
import uuid

import pytest
from fastapi.testclient import TestClient

from app.core.login_throttle import LoginThrottle
from app.services import users
from tests.app.conftest import PASSWORD, Api, unique_email

ACCOUNT_LIMIT = 5  # the default: 5 failed logins a minute per account


def client_at(api: Api, address: str) -> TestClient:
    """A client with its own address, so per-client counters of other tests don't mix in."""
    return TestClient(api.client.app, client=(address, 40_000))


def new_address() -> str:
    return f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"


def registered(api: Api) -> str:
    email = unique_email("victim")
    body = {"email": email, "password": PASSWORD, "role": "candidate"}
    assert api.new_client().post("/api/auth/register", json=body).status_code == 201
    return email


@pytest.mark.parametrize("exists", [True, False])
def test_failed_logins_per_account_are_throttled(api: Api, exists: bool) -> None:
    email = registered(api) if exists else unique_email("nobody")
    client = client_at(api, new_address())
    wrong = {"email": email, "password": "not-the-password"}
    answers = [client.post("/api/auth/login", json=wrong) for _ in range(ACCOUNT_LIMIT)]
    assert {a.status_code for a in answers} == {401}
    assert len({a.text for a in answers}) == 1
    # Now even the right password waits, from another address too: the account is the key.
    elsewhere = client_at(api, new_address())
    blocked = elsewhere.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert blocked.status_code == 429
    assert 1 <= int(blocked.headers["retry-after"]) <= 60
    # Another account from the first address is not affected.
    other = registered(api)
    assert (
        client.post("/api/auth/login", json={"email": other, "password": PASSWORD}).status_code
        == 200
    )


def test_failed_logins_per_client_are_throttled(api: Api) -> None:
    address = new_address()
    client = client_at(api, address)
    per_client = 30
    for index in range(per_client):  # a different e-mail each time: spraying
        body = {"email": unique_email(f"spray{index}"), "password": "Summer2026!"}
        assert client.post("/api/auth/login", json=body).status_code == 401
    victim = registered(api)
    good = {"email": victim, "password": PASSWORD}
    assert client.post("/api/auth/login", json=good).status_code == 429
    assert client_at(api, new_address()).post("/api/auth/login", json=good).status_code == 200


def test_a_success_clears_the_account_but_not_the_client(api: Api) -> None:
    email = registered(api)
    client = client_at(api, new_address())
    for _ in range(ACCOUNT_LIMIT - 1):
        client.post("/api/auth/login", json={"email": email, "password": "wrong-wrong"})
    assert client.post("/api/auth/login", json={"email": email, "password": PASSWORD}).is_success
    for _ in range(ACCOUNT_LIMIT - 1):  # a fresh allowance after the success
        wrong = client.post("/api/auth/login", json={"email": email, "password": "wrong-again"})
        assert wrong.status_code == 401


def test_throttle_counts_are_shared_between_instances(services_app: Api) -> None:
    """Two instances on one Redis: failures seen by one block the account on the other."""
    settings = services_app.client.app.state.gm.settings  # type: ignore[attr-defined]
    email = unique_email("shared")
    client = client_at(services_app, new_address())
    for _ in range(ACCOUNT_LIMIT):
        client.post("/api/auth/login", json={"email": email, "password": "wrong-wrong"})
    other_instance = LoginThrottle.build(
        redis_url=settings.redis_url,
        key_prefix=settings.redis_key_prefix,
        timeout_seconds=1.0,
        per_account=settings.login_limits_per_account,
        per_client=settings.login_limits_per_client,
    )
    assert other_instance.retry_after(email=email, client="192.0.2.1") is not None
    assert other_instance.retry_after(email=unique_email("fresh"), client="192.0.2.1") is None


def test_unknown_and_known_emails_take_the_same_time(api: Api) -> None:
    email = registered(api)
    database = api.client.app.state.gm.database  # type: ignore[attr-defined]

    def timed(address: str) -> float:
        # This process's CPU time (argon2 may hash on several threads): the hash is the
        # difference that leaks, and other processes on a loaded machine do not count here.
        with database.write_session() as session:
            started = time.process_time()
            assert users.authenticate(session=session, email=address, password="wrong") is None
            return time.process_time() - started

    timed(email)  # warm up
    known_times: list[float] = []
    unknown_times: list[float] = []
    for _ in range(9):  # interleaved, so any drift in the machine's speed hits both alike
        known_times.append(timed(email))
        unknown_times.append(timed(unique_email("ghost")))
    known, unknown = statistics.median(known_times), statistics.median(unknown_times)
    # Before: an unknown e-mail answered ~15x faster (no hash verified). Now both verify one.
    assert 0.5 < unknown / known < 2.0, (known, unknown)


def test_registration_does_not_say_which_emails_exist(api: Api) -> None:
    email = registered(api)
    fresh = unique_email("fresh")
    name = f"Wetland Trust {uuid.uuid4().hex[:6]}"
    client = api.new_client()
    taken = client.post(
        "/api/auth/register",
        json={"email": email, "password": PASSWORD, "role": "employer", "employer_name": name},
    )
    new = client.post(
        "/api/auth/register",
        json={"email": fresh, "password": PASSWORD, "role": "candidate"},
    )
    assert taken.status_code == new.status_code == 201
    assert taken.json()["detail"] == new.json()["detail"]
    assert set(taken.json()) == set(new.json()) == {"email", "role", "detail"}
    # The name is founded for a taken e-mail as for a new one (the same traces either
    # way, test_attack_registration.py), while the existing account is left alone.
    again = client.post(
        "/api/auth/register",
        json={
            "email": unique_email("owner"),
            "password": PASSWORD,
            "role": "employer",
            "employer_name": name,
        },
    )
    assert again.status_code == 409
