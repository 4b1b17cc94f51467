"""Hostile input: never a 5xx, never an echo of unbounded or unencodable input; bounded
bodies, fields and pages; values that fit the schema fit the columns; strict types."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.exc import DataError, IntegrityError

from app.api import errors
from app.core.request_body import BodyGuard
from app.models import Job
from tests.app.conftest import PASSWORD, Api, unique_email

JSON = {"content-type": "application/json"}
JOB = {
    "title": "Heat pump installer",
    "description": "Fit heat pumps in old houses.",
    "sdg_tag": 7,
    "salary_min": 30_000,
    "salary_max": 42_000,
    "location": "Leeds",
}


@pytest.fixture
def employer(api: Api) -> TestClient:
    client, _ = api.login_as("employer", employer_name=f"Input Co {uuid.uuid4().hex[:8]}")
    return client


# --- class 3: values the JSON parser takes but an error response could not re-encode ----


@pytest.mark.parametrize(
    ("path", "raw"),
    [
        ("/api/match", b'{"text": "\\udfff", "limit": 3}'),  # lone low surrogate
        ("/api/match", b'{"text": "wind", "\\ud834": 1}'),  # lone surrogate as a key
        ("/api/match", b'{"text": "wind", "sdg_tag": NaN}'),
        ("/api/match", b'{"text": "wind", "limit": -Infinity}'),
        ("/api/match", b'{"text": "wind", "limit": 1e400}'),  # overflows to inf
        ("/api/match", b'{"text": "wind", "limit": ' + b"7" * 40 + b"}"),
        ("/api/match", b'{"text": "wind", "limit": ' + b"7" * 5000 + b"}"),  # > int() limit
        ("/api/careers/recommend", b"[" * 60 + b"]" * 60),  # deep, but parses
        ("/api/careers/recommend", b"[" * 50_000 + b"]" * 50_000),  # deeper than the stack
        ("/api/auth/login", b'{"email": "\xc3\x28@x.org", "password": "p"}'),  # not UTF-8
        ("/api/auth/login", b"\xff\xfe{\x00}\x00"),  # UTF-16 with a BOM
        ("/api/auth/register", b'{"email": {"$gt": ""}, "password": [1, 2]}'),
    ],
)
def test_unencodable_values_get_a_422_that_is_valid_json(api: Api, path: str, raw: bytes) -> None:
    answer = api.new_client().post(path, content=raw, headers=JSON)
    assert answer.status_code == 422, answer.text
    body = json.loads(answer.content.decode("utf-8"))  # strict UTF-8, parses
    assert isinstance(body["detail"], list) and body["detail"]
    assert len(answer.content) < 4_000


def test_the_validation_handler_drops_what_it_cannot_show() -> None:
    shown = errors.safe_errors(
        [
            {"type": "t", "loc": ("body", "\ud800"), "msg": "m\udfff", "input": "x\ud800"},
            {"type": "t", "loc": ("body",), "msg": "m", "input": float("nan")},
            {"type": "t", "loc": ("body",), "msg": "m", "input": 10**400},
            {"type": "t", "loc": ("body",), "msg": "m", "input": b"\xff\xfe"},
            {"type": "t", "loc": ("body",), "msg": "m", "input": {"deep": [[[[]]]]}},
            {"type": "t", "loc": ("body",), "msg": "m" * 10_000, "input": "y" * 10_000},
        ]
    )
    encoded = json.dumps(shown, allow_nan=False, ensure_ascii=False).encode("utf-8")
    assert len(encoded) < 2_000
    assert [("input" in item) for item in shown] == [True, False, False, False, False, True]
    assert shown[0]["loc"] == ["body", "?"]


def test_a_long_invalid_value_is_not_echoed(api: Api, employer: TestClient) -> None:
    answer = employer.post("/api/jobs", json={**JOB, "title": "t" * 200_000})
    assert answer.status_code == 422
    assert len(answer.content) < 2_000


def test_odd_query_strings_are_not_server_errors(api: Api) -> None:
    client = api.new_client()
    for query in ["search=%ED%A0%80", "search=%FF%FE", "limit=1e3", "skip=-0", "sdg_tag=7.0"]:
        assert client.get(f"/api/jobs?{query}").status_code in (200, 422), query


# --- class 4: bounded bodies, fields and responses ----------------------------------------


def test_a_declared_oversized_body_is_refused_before_it_is_read(api: Api) -> None:
    limit = api.client.app.state.gm.settings.max_body_bytes  # type: ignore[attr-defined]
    headers = {**JSON, "content-length": str(limit + 1)}
    answer = api.new_client().post("/api/match", content=b"x" * (limit + 1), headers=headers)
    assert answer.status_code == 413


def test_a_chunked_oversized_body_is_refused(api: Api) -> None:
    limit = api.client.app.state.gm.settings.max_body_bytes  # type: ignore[attr-defined]

    def chunks() -> Iterator[bytes]:  # no Content-Length: chunked transfer
        yield b'{"text": "'
        for _ in range(limit // 1024 + 2):
            yield b"w" * 1024
        yield b'"}'

    answer = api.new_client().post("/api/match", content=chunks(), headers=JSON)
    assert answer.status_code == 413


def test_a_lying_content_length_does_not_lift_the_limit() -> None:
    """Straight at the middleware: 10 bytes declared, 64 KiB sent in pieces."""
    reached: list[bool] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        reached.append(True)

    messages = [{"type": "http.request", "body": b"a" * 4096, "more_body": True}] * 16
    messages.append({"type": "http.request", "body": b"", "more_body": False})
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/api/match",
        "headers": [(b"content-length", b"10"), (b"content-type", b"application/json")],
    }
    asyncio.run(BodyGuard(app, max_bytes=16_000)(scope, receive, send))
    assert reached == [] and sent[0]["status"] == 413


def test_pages_are_capped(api: Api) -> None:
    client, _ = api.login_as("candidate")
    assert client.get("/api/jobs?limit=101").status_code == 422
    assert client.get("/api/applications?limit=101").status_code == 422
    assert client.get("/api/applications?limit=100").status_code == 200
    assert len(api.new_client().get("/api/jobs?limit=100").json()["jobs"]) <= 100


# --- class 5: what the schema admits fits the column; DB errors by kind ----------------


def test_widest_characters_at_every_limit_are_stored(api: Api, employer: TestClient) -> None:
    wide = "\U0001f331"  # 4 bytes in UTF-8
    posted = employer.post(
        "/api/jobs",
        json={
            **JOB,
            "title": wide * 255,
            "location": "\u00e9" * 255,
            "description": wide * 16_383,  # 65,532 bytes: a MariaDB TEXT column holds 65,535
        },
    )
    assert posted.status_code == 201, posted.text[:300]
    assert posted.json()["description"] == wide * 16_383
    job_id = posted.json()["id"]
    candidate, _ = api.login_as("candidate")
    applied = candidate.post(f"/api/jobs/{job_id}/apply", json={"cover_letter": wide * 2000})
    assert applied.status_code == 201, applied.text[:300]
    too_long = employer.post("/api/jobs", json={**JOB, "description": "a" * 16_384})
    assert too_long.status_code == 422


def test_database_errors_map_to_409_and_422() -> None:
    app = FastAPI()
    errors.install(app)

    @app.get("/integrity")
    def integrity() -> None:
        raise IntegrityError("INSERT", {}, Exception("Duplicate entry"))

    @app.get("/data")
    def data() -> None:
        raise DataError("INSERT", {}, Exception("Data too long for column"))

    client = TestClient(app)
    assert client.get("/integrity").status_code == 409
    answer = client.get("/data")
    assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["body"]


def test_mariadb_raises_data_error_for_an_oversized_value(services_app: Api) -> None:
    """The real driver path the 422 mapping relies on (strict mode on MariaDB; SQLite,
    the embedded default, does not enforce VARCHAR lengths at all)."""
    database = services_app.client.app.state.gm.database  # type: ignore[attr-defined]
    with database.write_session() as session, pytest.raises(DataError):
        session.add(
            Job(
                employer_id=1,
                title="x" * 300,
                description="",
                sdg_tag=1,
                salary_min=0,
                salary_max=0,
                location="",
            )
        )
        session.flush()


# --- class 10: strict types and clean text ------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sdg_tag", "7"),
        ("sdg_tag", True),
        ("sdg_tag", 7.5),
        ("salary_min", "30000"),
        ("salary_max", False),
        ("title", 12345),
        ("title", ["a"]),
    ],
)
def test_no_coercion_into_numbers_or_strings(
    api: Api, employer: TestClient, field: str, value: object
) -> None:
    answer = employer.post("/api/jobs", json={**JOB, field: value})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"][-1] == field


@pytest.mark.parametrize(
    "bad",
    [
        "Wind\u200btech",  # zero-width space
        "\u202eheat pumps",  # right-to-left override
        "Solar\u00adpanels",  # soft hyphen
        "Turbine\u2028crew",  # line separator
        "Bell\x07",  # control
        "Tag\U000e0041",  # tag character, beyond the pattern's plane
        "Private\ue000use",
        "No\u00a0break",  # no-break space
    ],
)
def test_invisible_and_control_characters_are_refused(employer: TestClient, bad: str) -> None:
    assert employer.post("/api/jobs", json={**JOB, "title": bad}).status_code == 422


def test_descriptions_keep_newlines_and_tabs(employer: TestClient) -> None:
    text_ = "Duties:\n\t- inspect blades\n\t- climb"
    posted = employer.post("/api/jobs", json={**JOB, "description": text_})
    assert posted.status_code == 201 and posted.json()["description"] == text_


def test_emails_are_nfkc_normalised_and_lowercased(api: Api) -> None:
    local = f"\uff2d\uff41\uff52\uff49\uff4e\uff41{uuid.uuid4().hex[:6]}"  # full-width Marina
    client = api.new_client()
    body = {"email": f"{local}@Example.ORG", "password": PASSWORD, "role": "candidate"}
    assert client.post("/api/auth/register", json=body).status_code == 201
    ascii_email = f"marina{local[6:]}@example.org"
    login = client.post("/api/auth/login", json={"email": ascii_email, "password": PASSWORD})
    assert login.status_code == 200 and login.json()["email"] == ascii_email


@pytest.mark.parametrize(
    "password", ["Sunshine1", "qwerty123", "football!", "Passw0rd", "baseball"]
)
def test_common_passwords_are_refused(api: Api, password: str) -> None:
    body = {"email": unique_email("weak"), "password": password, "role": "candidate"}
    answer = api.new_client().post("/api/auth/register", json=body)
    assert answer.status_code == 422
    assert "common" in answer.json()["detail"][0]["msg"]


@pytest.mark.parametrize(
    "password",
    [
        "aaaaaaaaaaaa",  # one character repeated
        "abababababab",  # a short pattern repeated
        "abcdefgh",  # a sequence
        "123456789012",  # a longer digit sequence than the list holds
        "asdfghjkl;",  # a keyboard walk
        "passwordpassword",  # a listed word doubled
        "        ",  # blanks
        "\u0000" * 8,  # invisible characters
    ],
)
def test_guessable_passwords_are_refused(api: Api, password: str) -> None:
    body = {"email": unique_email("guess"), "password": password, "role": "candidate"}
    answer = api.new_client().post("/api/auth/register", json=body)
    assert answer.status_code == 422
    assert "too easy to guess" in answer.json()["detail"][0]["msg"]


def test_the_email_is_not_a_password(api: Api) -> None:
    email = f"marguerite.oakenfold{uuid.uuid4().hex[:4]}@example.org"
    for password in (email, email.split("@")[0]):
        body = {"email": email, "password": password, "role": "candidate"}
        answer = api.new_client().post("/api/auth/register", json=body)
        assert answer.status_code == 422, password
        assert "too easy to guess" in answer.json()["detail"][0]["msg"]


# --- class 11 (part): timestamps with their zone; 4xx in the schema -----------------------


def assert_utc(stamp: str) -> None:
    parsed = datetime.fromisoformat(stamp)
    assert parsed.utcoffset() == timedelta(0), stamp


def test_timestamps_carry_their_zone(api: Api, employer: TestClient) -> None:
    assert_utc(employer.get("/api/auth/me").json()["created_at"])
    assert_utc(employer.post("/api/jobs", json=JOB).json()["created_at"])
    client = api.new_client()
    for _ in range(2):  # the second answer comes from the cache
        assert_utc(client.get("/api/jobs?limit=3").json()["jobs"][0]["created_at"])


def test_every_operation_declares_its_4xx(embedded: Api) -> None:
    schema = embedded.client.get("/openapi.json").json()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            codes = set(operation["responses"])
            assert {"413", "415", "422"} <= codes, (method, path)
            if method == "post":
                assert "403" in codes, (method, path)
    auth = schema["paths"]
    assert {"401", "429"} <= set(auth["/api/auth/login"]["post"]["responses"])
    assert {"401", "404", "409"} <= set(auth["/api/jobs/{job_id}/apply"]["post"]["responses"])
    assert "404" in auth["/api/jobs/{job_id}"]["get"]["responses"]
    assert "409" in auth["/api/auth/register"]["post"]["responses"]
    assert "401" in auth["/api/applications"]["get"]["responses"]
