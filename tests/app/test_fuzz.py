"""Schemathesis over the OpenAPI schema, anonymous and logged in as each role.

Every generated request (valid and invalid, per operation) must get an answer that the
schema declares, with a body that matches it, and never a 5xx: schemathesis's default
checks (server errors, status codes, content types, response schemas, negative data
rejected, ...). Each run builds its own app so its failed logins do not throttle others.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

from app.main import create_app
from tests.app.conftest import Api, embedded_settings

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is a dev dependency")

EXAMPLES_PER_OPERATION = 6  # per operation and mode (valid, invalid)
ADMIN = ("admin@demo.greenmatchers.org", "greenmatch-demo")  # seeded on local instances


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    settings = embedded_settings(
        tmp_path_factory.mktemp("fuzz"),
        login_limits_per_account="10000/minute",
        login_limits_per_client="10000/minute",
    )
    with TestClient(create_app(settings)) as client:
        yield Api(client)


def session_cookie(api: Api, role: str) -> str:
    if role == "anonymous":
        return ""
    if role == "admin":
        client = api.new_client()
        answer = client.post("/api/auth/login", json={"email": ADMIN[0], "password": ADMIN[1]})
        assert answer.status_code == 200, answer.text
    else:
        extra = {"employer_name": f"Fuzz Co {role}"} if role == "employer" else {}
        client, _ = api.login_as(role, **extra)
    return f"gm_session={client.cookies['gm_session']}"


def operations(app: object) -> Iterator[tuple[str, st.SearchStrategy[object]]]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    for result in schema.exclude(path="/api/auth/logout").get_all_operations():
        operation = result.ok()
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
            yield operation.label, operation.as_strategy(generation_mode=mode)


# Rules no JSON Schema keyword can say; a schema-valid request may break them and get 422.
SEMANTIC_RULES = (
    "most common leaked passwords",  # the common-password list
    "after Unicode normalisation",  # NFKC made a name or e-mail too long or malformed
    "at least one letter or digit",  # an employer name of punctuation only
    "must not be above salary_max",  # salary_min <= salary_max
)


# The schema's patterns list forbidden characters of the Basic Multilingual Plane only
# (JSON Schema regexes cannot name others alike in every dialect); the app also refuses
# those beyond U+FFFF and lone surrogates, naming the character.
BEYOND_PATTERN = re.compile(r"character U\+(D[89A-F][0-9A-F]{2}|[0-9A-F]{5,6}) at position")


def semantic_only(response: Any) -> bool:
    """A 422 whose every error is one of SEMANTIC_RULES or BEYOND_PATTERN."""
    try:
        errors = response.json()["detail"]
        return all(
            any(rule in e["msg"] for rule in SEMANTIC_RULES) or BEYOND_PATTERN.search(e["msg"])
            for e in errors
        )
    except (ValueError, KeyError, TypeError):
        return False


@pytest.mark.parametrize("role", ["anonymous", "candidate", "employer", "admin"])
def test_every_answer_conforms_to_the_schema(fuzz_app: Api, role: str) -> None:
    cookie = session_cookie(fuzz_app, role)
    headers = {"Cookie": cookie} if cookie else {}
    statuses: list[int] = []
    for _label, strategy in operations(fuzz_app.client.app):

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def run(case: Any) -> None:
            response = case.call(headers=headers)
            statuses.append(response.status_code)
            excluded = []
            if response.status_code == 422 and semantic_only(response):
                excluded = [schemathesis.checks.positive_data_acceptance]
            case.validate_response(response, headers=headers, excluded_checks=excluded)

        try:
            run()
        except Unsatisfiable:  # no invalid input exists (an operation without parameters)
            continue
    assert len(statuses) >= 100 and 422 in statuses and any(200 <= s < 300 for s in statuses)
    assert all(status < 500 for status in statuses)
