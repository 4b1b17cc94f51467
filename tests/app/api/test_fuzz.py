"""Schemathesis over the OpenAPI schema, anonymous and logged in as each role (about a
minute in all: the embedded default, then a briefer run on MariaDB + Redis).

Every generated request (valid and invalid, per operation) must get an answer that the
schema declares, with a body that matches it, and never a 5xx: schemathesis's default
checks (server errors, status codes, content types, response schemas, negative data
rejected, ...).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from hypothesis.stateful import run_state_machine_as_test

from app.core.login_throttle import LoginThrottle
from tests.app.conftest import Api

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is a dev dependency")

EXAMPLES_PER_OPERATION = 6  # per operation and mode (valid, invalid)
ADMIN = ("admin@demo.greenmatchers.org", "greenmatch-demo")  # seeded on local instances


def generous_throttle() -> LoginThrottle:
    return LoginThrottle.build(
        redis_url="",
        key_prefix="",
        timeout_seconds=1.0,
        per_account="100000/minute",
        per_client="100000/minute",
    )


@pytest.fixture(scope="module")
def fuzz_app(embedded: Api) -> Iterator[Api]:
    """The embedded app with a login throttle of its own that fuzzed logins cannot trip
    (and whose counters do not reach the other tests)."""
    state = embedded.client.app.state  # type: ignore[attr-defined]
    saved = state.login_throttle
    state.login_throttle = generous_throttle()
    yield embedded
    state.login_throttle = saved


def session_cookie(api: Api, role: str) -> str:
    if role == "anonymous":
        return ""
    if role == "admin":
        client = api.new_client()
        answer = client.post("/api/auth/login", json={"email": ADMIN[0], "password": ADMIN[1]})
        assert answer.status_code == 200, answer.text
    else:
        extra = {"employer_name": f"Fuzz Co {uuid.uuid4().hex[:8]}"} if role == "employer" else {}
        client, _ = api.login_as(role, **extra)
    return f"gm_session={client.cookies['gm_session']}"


# Operations fuzzed per role: anonymous callers get everything except the two whose every
# answer is 401 for them (their bodies are fuzzed by the roles that may post them).
LOGGED_IN_ONLY = {"POST /api/jobs", "POST /api/careers"}
ROLE_OPERATIONS: dict[str, set[str] | None] = {
    "anonymous": None,
    "candidate": {
        "GET /api/auth/me",
        "POST /api/jobs/{job_id}/apply",
        "GET /api/applications",
        "POST /api/employers/invitations",
    },
    "employer": {"POST /api/jobs", "POST /api/employers/invitations", "GET /api/auth/me"},
    "admin": {"POST /api/careers", "GET /api/applications"},
}


def operations(app: object, role: str) -> Iterator[tuple[str, st.SearchStrategy[object]]]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    wanted = ROLE_OPERATIONS[role]
    for result in schema.exclude(path_regex=r"^/api/auth/logout").get_all_operations():
        operation = result.ok()
        if wanted is None and operation.label in LOGGED_IN_ONLY:
            continue
        if wanted is not None and operation.label not in wanted:
            continue
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
            yield operation.label, operation.as_strategy(generation_mode=mode)


# Rules no JSON Schema keyword can say; a schema-valid request may break them and get 422.
SEMANTIC_RULES = (
    "most common leaked passwords",  # the common-password list
    "too easy to guess",  # zxcvbn: repeats, sequences, keyboard walks, the e-mail itself
    "after Unicode normalisation",  # NFKC made a name or e-mail too long or malformed
    "at least one letter or digit",  # an employer name of punctuation only
    "must not be above salary_max",  # salary_min <= salary_max
    "must not be blank",  # only spaces or invisible characters
    "invisible character",  # an e-mail with a Hangul filler or another invisible letter
    "vectors have",  # /api/ai/similarity: the vectors' dimension is the model's
    "not one of each",  # /api/ai/similarity: two texts or two vectors
    "not all zeros",  # /api/ai/similarity: a zero vector has no direction
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
    fuzz(fuzz_app, role, EXAMPLES_PER_OPERATION)


def test_services_app_answers_conform_too(services_app: Api) -> None:
    """The same run, briefer, on MariaDB + Redis (as anonymous and as an employer)."""
    state = services_app.client.app.state  # type: ignore[attr-defined]
    saved = state.login_throttle
    state.login_throttle = generous_throttle()
    try:
        fuzz(services_app, "anonymous", 3)
        fuzz(services_app, "employer", 3)
    finally:
        state.login_throttle = saved


def fuzz(api: Api, role: str, examples: int) -> None:
    cookie = session_cookie(api, role)
    headers = {"Cookie": cookie} if cookie else {}
    statuses: list[int] = []
    for _label, strategy in operations(api.client.app, role):

        @settings(
            max_examples=examples,
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
            if response.status_code == 413:
                # a body over MAX_BODY_BYTES is refused before it is parsed: a rejection,
                # which schemathesis's list of rejection codes (no 413) does not know
                excluded = [schemathesis.checks.negative_data_rejection]
            case.validate_response(response, headers=headers, excluded_checks=excluded)

        try:
            run()
        except Unsatisfiable:  # no invalid input exists (an operation without parameters)
            continue
    assert all(status < 500 for status in statuses)
    assert 422 in statuses and any(200 <= s < 300 for s in statuses)  # both paths exercised


def test_stateful_sequences_as_an_employer(fuzz_app: Api) -> None:
    """Schemathesis's stateful phase: chains of calls linked by the ids the answers carry
    (post a job, read it, apply to it...), logged in as an employer throughout. Logout
    (and log out everywhere) are left out, or the first call would end the session for the
    rest of the run."""
    cookie = session_cookie(fuzz_app, "employer")
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app.client.app)
    base = schema.exclude(path_regex=r"^/api/auth/logout").as_state_machine()
    statuses: list[int] = []

    class Employer(base):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": {"Cookie": cookie}}

        def validate_response(
            self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any
        ) -> None:
            statuses.append(response.status_code)
            excluded = []
            if response.status_code == 422 and semantic_only(response):
                excluded = [schemathesis.checks.positive_data_acceptance]
            case.validate_response(response, excluded_checks=excluded, headers={"Cookie": cookie})

    run_state_machine_as_test(
        Employer,
        settings=settings(
            max_examples=10,
            stateful_step_count=6,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
    assert statuses and all(status < 500 for status in statuses)
    assert fuzz_app.client.get("/api/auth/me", headers={"Cookie": cookie}).status_code == 200
