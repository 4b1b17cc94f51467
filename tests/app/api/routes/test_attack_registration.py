"""Outsider attacks on registration found after issue 11's fixes (new examples per class).

- Enumeration by side effect: registering an employer account for an e-mail that already
  had an account must leave the same traces as for a new e-mail. Otherwise the attacker
  registers ``someone@victim.org`` with a fresh employer name (or an invitation of their
  own employer), then tries that name (or invitation) again: 201 meant the e-mail existed.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from fastapi.testclient import TestClient

from app.main import create_app
from tests.app.conftest import PASSWORD, Api, embedded_settings, unique_email


def _register(api: Api, email: str, **body: object) -> int:
    answer = api.new_client().post(
        "/api/auth/register", json={"email": email, "password": PASSWORD, **body}
    )
    return answer.status_code


def test_a_founded_name_is_taken_whether_or_not_the_email_existed(api: Api) -> None:
    known = unique_email("known")
    assert _register(api, known, role="candidate") == 201
    outcomes = []
    for email in (known, unique_email("unknown")):
        name = f"Probe Kelp {uuid.uuid4().hex[:8]}"
        assert _register(api, email, role="employer", employer_name=name) == 201
        # The probe: is the name taken now?
        outcomes.append(_register(api, unique_email("probe"), role="employer", employer_name=name))
    assert outcomes == [409, 409]


def test_an_invitation_is_used_up_whether_or_not_the_email_existed(api: Api) -> None:
    owner, _ = api.login_as("employer", employer_name=f"Inviter {uuid.uuid4().hex[:8]}")
    known = unique_email("known")
    assert _register(api, known, role="candidate") == 201
    outcomes = []
    for email in (known, unique_email("unknown")):
        token = owner.post("/api/employers/invitations").json()["token"]
        assert _register(api, email, role="employer", invitation=token) == 201
        outcomes.append(_register(api, unique_email("probe"), role="employer", invitation=token))
    assert outcomes == [403, 403]
    # The existing account was left as it was: still a candidate without an employer.
    client = api.new_client()
    assert (
        client.post("/api/auth/login", json={"email": known, "password": PASSWORD}).json()[
            "employer_id"
        ]
        is None
    )


def test_registrations_are_limited_per_client(tmp_path: Path) -> None:
    """Every attempt counts (each hashes a password, may found an employer); past the
    limit: 429 with Retry-After, and nothing is written."""
    settings = embedded_settings(
        tmp_path, demo_jobs_per_sdg=0, register_limits_per_client="3/minute"
    )
    with TestClient(create_app(settings)) as client:
        bodies = [
            {"email": unique_email("flood"), "password": PASSWORD, "role": "candidate"}
            for _ in range(5)
        ]
        codes = [client.post("/api/auth/register", json=body).status_code for body in bodies]
        assert codes == [201, 201, 201, 429, 429]
        refused = client.post("/api/auth/register", json=bodies[4])
        assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60
        login = {"email": bodies[4]["email"], "password": PASSWORD}
        assert client.post("/api/auth/login", json=login).status_code == 401  # no account
