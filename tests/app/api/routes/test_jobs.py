from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, text

from app.main import create_app
from tests.app.conftest import Api, embedded_settings
from tests.app.waiting import wait_embedded

JOB = {
    "title": "Wind Farm Site Manager",
    "description": "Run a 40-turbine onshore wind farm and its maintenance crews.",
    "sdg_tag": 7,
    "salary_min": 60000,
    "salary_max": 90000,
    "location": "Aarhus, Denmark",
}


@contextmanager
def count_queries(api: Api) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    engines = list(api.client.app.state.gm.database.engines.values())
    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)


def total_jobs(api: Api) -> int:
    return int(api.client.get("/api/jobs", params={"limit": 1, "skip": 0}).json()["total"])


def test_list_jobs_is_paginated_and_loads_employers_in_one_query(api: Api) -> None:
    first = api.client.get("/api/jobs").json()
    assert first["skip"] == 0 and first["limit"] == 20 and len(first["jobs"]) == 20
    assert first["total"] >= 17
    assert all(job["employer"]["name"] for job in first["jobs"])
    with count_queries(api) as statements:
        # a skip value no other test uses, so the page is not in the cache
        page = api.client.get("/api/jobs", params={"skip": 3, "limit": 7, "search": ""}).json()
    assert len(page["jobs"]) == 7 and page["skip"] == 3
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 2, selects  # the count and the page with its employers joined
    created = [job["created_at"] for job in first["jobs"]]
    assert created == sorted(created, reverse=True)


def test_filters(api: Api) -> None:
    water = api.client.get("/api/jobs", params={"sdg_tag": 6, "limit": 100}).json()
    assert water["total"] >= 1 and {j["sdg_tag"] for j in water["jobs"]} == {6}
    band = api.client.get("/api/jobs", params={"salary_min": 50000, "salary_max": 90000}).json()
    assert all(j["salary_min"] >= 50000 and j["salary_max"] <= 90000 for j in band["jobs"])
    found = api.client.get("/api/jobs", params={"search": "turbine"}).json()
    assert found["total"] >= 1 and all("turbine" in j["title"].lower() for j in found["jobs"])
    assert api.client.get("/api/jobs", params={"search": "%_%"}).json()["total"] == 0


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 101}, "limit"),
        ({"limit": 0}, "limit"),
        ({"skip": -1}, "skip"),
        ({"sdg_tag": 18}, "sdg_tag"),
        ({"sdg_tag": 0}, "sdg_tag"),
        ({"salary_min": 90000, "salary_max": 50000}, "salary_min"),
    ],
)
def test_list_rejects_bad_query_naming_the_field(
    embedded: Api, params: dict[str, int], field: str
) -> None:
    answer = embedded.client.get("/api/jobs", params=params)
    assert answer.status_code == 422
    assert [d["loc"][-1] for d in answer.json()["detail"]] == [field]


def test_get_one_job(api: Api) -> None:
    job = api.client.get("/api/jobs", params={"limit": 1}).json()["jobs"][0]
    assert api.client.get(f"/api/jobs/{job['id']}").json() == job
    assert api.client.get("/api/jobs/999999").status_code == 404
    assert api.client.get("/api/jobs/99999999999999").status_code == 422


def test_only_employers_post_jobs(api: Api) -> None:
    before = total_jobs(api)
    assert api.new_client().post("/api/jobs", json=JOB).status_code == 401
    candidate, _ = api.login_as("candidate")
    assert candidate.post("/api/jobs", json=JOB).status_code == 403
    employer, _ = api.login_as("employer", employer_name=f"Acme Wind {uuid.uuid4().hex[:6]}")
    created = employer.post("/api/jobs", json=JOB)
    assert created.status_code == 201, created.text
    job = created.json()
    assert job["employer"]["name"].startswith("Acme Wind") and job["sdg_tag"] == 7
    assert total_jobs(api) == before + 1  # the list cache was invalidated
    assert api.client.get(f"/api/jobs/{job['id']}").json()["title"] == JOB["title"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"salary_min": 95000}, "salary_max"),
        ({"sdg_tag": 18}, "sdg_tag"),
        ({"sdg_tag": 0}, "sdg_tag"),
        ({"title": "   "}, "title"),
        ({"salary_min": -5}, "salary_min"),
        ({"location": None}, "location"),
    ],
)
def test_bad_job_bodies_are_rejected_and_nothing_is_written(
    embedded: Api, change: dict[str, Any], field: str
) -> None:
    employer, _ = embedded.login_as("employer", employer_name=f"Bad Input {uuid.uuid4().hex[:6]}")
    before = total_jobs(embedded)
    answer = employer.post("/api/jobs", json={**JOB, **change})
    assert answer.status_code == 422
    detail = answer.json()["detail"]
    assert [d["loc"][-1] for d in detail] == [field]
    if field == "salary_max":
        assert "salary_min" in detail[0]["msg"]
    assert total_jobs(embedded) == before


def test_apply_once_per_job(api: Api) -> None:
    job_id = api.client.get("/api/jobs", params={"limit": 1}).json()["jobs"][0]["id"]
    assert api.new_client().post(f"/api/jobs/{job_id}/apply").status_code == 401
    employer, _ = api.login_as("employer", employer_name=f"Apply Co {uuid.uuid4().hex[:6]}")
    assert employer.post(f"/api/jobs/{job_id}/apply").status_code == 403
    candidate, me = api.login_as("candidate")
    first = candidate.post(f"/api/jobs/{job_id}/apply", json={"cover_letter": "Hello"})
    assert first.status_code == 201
    assert first.json()["user_id"] == me["id"] and first.json()["status"] == "submitted"
    second = candidate.post(f"/api/jobs/{job_id}/apply")
    assert second.status_code == 409 and "already applied" in second.json()["detail"]
    assert candidate.post("/api/jobs/999999/apply").status_code == 404
    mine = candidate.get("/api/applications").json()
    assert [a["job_id"] for a in mine] == [job_id]


def test_applications_are_stored_on_the_users_shard(services_app: Api) -> None:
    """Before any reshard the shard map is trivial: every user's rows are on shard 0.

    After a reshard they are on shard ``user_id % 3`` (tests/app/reshard/test_workflow.py)."""
    api = services_app
    job_id = api.client.get("/api/jobs", params={"limit": 1}).json()["jobs"][0]["id"]
    database = api.client.app.state.gm.database
    for _ in range(3):  # three users whose ids fall on three different targets
        candidate, me = api.login_as("candidate")
        assert candidate.post(f"/api/jobs/{job_id}/apply").status_code == 201
        owner = 0
        for index, shard in enumerate(database.shards):
            with shard.connect() as connection:
                rows = connection.execute(
                    text("SELECT COUNT(*) FROM applications WHERE user_id = :u"), {"u": me["id"]}
                ).scalar()
            assert rows == (1 if index == owner else 0)
        with database.writer.connect() as connection:
            on_writer = connection.execute(
                text("SELECT COUNT(*) FROM applications WHERE user_id = :u"), {"u": me["id"]}
            ).scalar()
        assert on_writer == 0


def test_the_front_page_stays_cacheable_whatever_employers_post(tmp_path: Path) -> None:
    """One employer posts the longest texts the schema allows, in 4-byte characters: the
    front page (and a page of 20) still fits the cache's entry cap and is cached."""
    settings = embedded_settings(tmp_path, demo_jobs_per_sdg=0)
    with TestClient(create_app(settings)) as client:
        api = Api(client)
        wide = "\U0001f331"  # a seedling: 4 bytes in UTF-8
        employer, _ = api.login_as("employer", employer_name="E" + wide * 200)
        job = {"title": wide * 255, "description": wide * 16_383, "sdg_tag": 13,
               "salary_min": 1, "salary_max": 2, "location": wide * 255}  # fmt: skip
        posted = [employer.post("/api/jobs", json=job) for _ in range(20)]
        assert {answer.status_code for answer in posted} == {201}
        state = client.app.state.gm  # type: ignore[attr-defined]
        # Embedding them bumps the jobs' generation (a new cache key): let that happen first.
        wait_embedded(state, [answer.json()["id"] for answer in posted])
        for limit in (10, 20):
            first = client.get(f"/api/jobs?limit={limit}")
            assert first.status_code == 200
            listed = first.json()["jobs"][0]["description"]
            assert len(listed) == 300 and listed.endswith("\u2026")
            hits = state.metrics.cache_hits.labels("jobs")._value.get()
            assert client.get(f"/api/jobs?limit={limit}").json() == first.json()
            assert state.metrics.cache_hits.labels("jobs")._value.get() == hits + 1, limit
        job_id = first.json()["jobs"][0]["id"]
        assert len(client.get(f"/api/jobs/{job_id}").json()["description"]) == 16_383
