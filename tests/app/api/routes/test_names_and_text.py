"""Employer names keyed on confusable skeletons (UTS #39) after removing invisible
characters; every free-text field refuses invisible-only text and noncharacters with a
422 naming the field."""

from __future__ import annotations

import uuid

import pytest

from app.core.text import name_key, skeleton
from tests.app.conftest import PASSWORD, Api, unique_email

# (the founded name, a look-alike that must be refused)
LOOK_ALIKES = [
    ("Helios Solar Cooperative", "HeIios SoIar Cooperative"),  # capital I for l
    ("Helios Solar Cooperative", "He1ios Solar Cooperative"),  # digit 1 for l
    ("Common Ground Growers", "Cornrnon Ground Growers"),  # rn for m
    ("Northwind Energy", "Northvvind Energy"),  # vv for w
    ("Tidal Power Co", "Tida\u0406 P\u043ewer Co"),  # Cyrillic I and o
    ("Helios Solar Cooperative", "Hel\u3164ios Solar Cooperative"),  # Hangul filler
    ("Helios Solar Cooperative", "\u115fHelios Solar Cooperative\uffa0"),  # more fillers
    ("Helios Solar Cooperative", "Heli\u1160os Solar Coop\u2800erative"),  # and U+2800
    ("Helios Solar Cooperative", "Helios\u034f Solar Cooperative"),  # grapheme joiner
]
INVISIBLE_ONLY = ["\u3164", "\uffa0\u3164", "\u115f\u1160", "\u2800 \u2800", " \u3164 "]
NONCHARACTERS = ["\uffff", "\ufdd0", "\U0010ffff", "\ufffe", "\U0001fffe"]


def register(api: Api, **body: object) -> tuple[int, dict[str, object]]:
    answer = api.new_client().post(
        "/api/auth/register", json={"email": unique_email("n"), "password": PASSWORD, **body}
    )
    return answer.status_code, answer.json()


def field_of(answer: dict[str, object]) -> list[object]:
    return [error["loc"][-1] for error in answer["detail"]]  # type: ignore[index, union-attr]


@pytest.mark.parametrize(("original", "look_alike"), LOOK_ALIKES)
def test_look_alike_names_are_refused(api: Api, original: str, look_alike: str) -> None:
    tag = uuid.uuid4().hex[:6]
    status, body = register(api, role="employer", employer_name=f"{original} {tag}")
    assert status == 201, body
    status, body = register(api, role="employer", employer_name=f"{look_alike} {tag}")
    assert status == 409, (look_alike, body)


@pytest.mark.parametrize("name", INVISIBLE_ONLY)
def test_names_with_no_visible_letter_are_refused(embedded: Api, name: str) -> None:
    status, body = register(embedded, role="employer", employer_name=name)
    assert status == 422 and field_of(body) == ["employer_name"], body


def test_skeletons_fold_look_alikes_and_drop_invisibles() -> None:
    assert skeleton("HeIios SoIar") == skeleton("Helios Solar") == "heliossolar"
    assert skeleton("Cornrnon") == skeleton("Common")
    assert skeleton("Northvvind") == skeleton("Northwind")
    assert skeleton("\u3164\uffa0\u115f\u1160\u2800") == ""
    assert name_key("Green Fields") != name_key("Green Yields")


@pytest.fixture
def employer(embedded: Api) -> object:
    client, _ = embedded.login_as("employer", employer_name=f"Text Co {uuid.uuid4().hex[:8]}")
    return client


JOB = {"title": "Solar fitter", "description": "Fit panels.", "sdg_tag": 7,
       "salary_min": 1, "salary_max": 2, "location": "Leeds"}  # fmt: skip


@pytest.mark.parametrize("field", ["title", "description", "location"])
@pytest.mark.parametrize("text", INVISIBLE_ONLY + NONCHARACTERS + ["ok\ufdd0", "a\U0010ffff"])
def test_job_text_fields_refuse_invisible_only_and_noncharacters(
    employer: object, field: str, text: str
) -> None:
    answer = employer.post("/api/jobs", json={**JOB, field: text})  # type: ignore[attr-defined]
    assert answer.status_code == 422, (field, text, answer.text)
    assert field_of(answer.json()) == [field]


@pytest.mark.parametrize("text", INVISIBLE_ONLY + NONCHARACTERS)
def test_match_and_recommend_text_refuse_them(embedded: Api, text: str) -> None:
    for path in ("/api/match", "/api/careers/recommend"):
        answer = embedded.client.post(path, json={"text": text})
        assert answer.status_code == 422, (path, text, answer.text)
        assert field_of(answer.json()) == ["text"]


@pytest.mark.parametrize(
    "email",
    ["\u3164@example.org", "a\u3164b@example.org", "x\uffff@example.org", "\ufdd0y@example.org"],
)
def test_emails_refuse_invisible_letters_and_noncharacters(embedded: Api, email: str) -> None:
    answer = embedded.new_client().post(
        "/api/auth/register", json={"email": email, "password": PASSWORD, "role": "candidate"}
    )
    assert answer.status_code == 422 and field_of(answer.json()) == ["email"], answer.text


def test_a_cover_letter_may_be_empty_but_not_invisible(embedded: Api) -> None:
    candidate, _ = embedded.login_as("candidate")
    job_id = embedded.client.get("/api/jobs").json()["jobs"][0]["id"]
    answer = candidate.post(f"/api/jobs/{job_id}/apply", json={"cover_letter": "\u3164\u2800"})
    assert answer.status_code == 422 and field_of(answer.json()) == ["cover_letter"]
    assert candidate.post(f"/api/jobs/{job_id}/apply", json={"cover_letter": ""}).status_code == 201
