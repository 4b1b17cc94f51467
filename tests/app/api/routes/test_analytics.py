"""/api/analytics/*: figures against rows this test writes, the day bound, the cache, and
match requests counted by the matching side."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.models import Application, Employer, Job, MatchDay
from tests.app.conftest import Api, embedded_settings

TODAY = datetime.now(UTC).date()


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour)


def job(employer: Employer, sdg: int, day: date) -> Job:
    return Job(
        employer=employer,
        title=f"SDG {sdg} job",
        description="A job.",
        sdg_tag=sdg,
        salary_min=1,
        salary_max=2,
        location="Here",
        created_at=at(day),
    )


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The analytics service over a database holding exactly the rows below."""
    settings = embedded_settings(tmp_path_factory.mktemp("analytics"), demo_data=False)
    app = create_app(settings, service="analytics")
    with TestClient(app) as client:
        two_days_ago, ten_days_ago = TODAY - timedelta(days=2), TODAY - timedelta(days=10)
        with app.state.gm.database.write_session() as session:
            employer = Employer(name="Figures Ltd")
            jobs = [
                job(employer, 3, TODAY),
                job(employer, 3, two_days_ago),
                job(employer, 7, ten_days_ago),
                job(employer, 17, TODAY),
            ]
            session.add_all(jobs)
            session.flush()
            session.add_all(
                [
                    Application(user_id=1, job_id=jobs[0].id, created_at=at(TODAY, 1)),
                    Application(user_id=2, job_id=jobs[0].id, created_at=at(two_days_ago)),
                    Application(user_id=3, job_id=jobs[1].id, created_at=at(TODAY, 23)),
                    Application(user_id=1, job_id=jobs[2].id, created_at=at(ten_days_ago)),
                    MatchDay(day=TODAY, matches=5),
                    MatchDay(day=two_days_ago, matches=2),
                    MatchDay(day=ten_days_ago, matches=9),
                ]
            )
            session.commit()
        yield client


def test_sdg_counts_jobs_and_applications_per_goal(client: TestClient) -> None:
    answer = client.get("/api/analytics/sdg")
    assert answer.status_code == 200
    sdgs = answer.json()["sdgs"]
    assert [row["sdg"] for row in sdgs] == list(range(1, 18))
    counted = {row["sdg"]: (row["jobs"], row["applications"]) for row in sdgs if row["jobs"]}
    assert counted == {3: (2, 3), 7: (1, 1), 17: (1, 0)}


def test_activity_counts_each_day_oldest_first(client: TestClient) -> None:
    answer = client.get("/api/analytics/activity?days=3")
    assert answer.status_code == 200
    body = answer.json()
    assert body["days"] == 3
    assert body["activity"] == [
        {
            "day": (TODAY - timedelta(days=2)).isoformat(),
            "postings": 1,
            "applications": 1,
            "matches": 2,
        },
        {
            "day": (TODAY - timedelta(days=1)).isoformat(),
            "postings": 0,
            "applications": 0,
            "matches": 0,
        },
        {"day": TODAY.isoformat(), "postings": 2, "applications": 2, "matches": 5},
    ]


def test_activity_reaches_back_as_far_as_asked(client: TestClient) -> None:
    rows = client.get("/api/analytics/activity?days=11").json()["activity"]
    assert len(rows) == 11
    assert rows[0] == {
        "day": (TODAY - timedelta(days=10)).isoformat(),
        "postings": 1,
        "applications": 1,
        "matches": 9,
    }
    assert client.get("/api/analytics/activity").json()["days"] == 7


@pytest.mark.parametrize("days", ["0", "91", "-1", "seven", "2.5"])
def test_days_out_of_bounds_is_a_clear_422(client: TestClient, days: str) -> None:
    answer = client.get(f"/api/analytics/activity?days={days}")
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["query", "days"]


def test_answers_are_cached(client: TestClient) -> None:
    first = client.get("/api/analytics/sdg").json()
    state = client.app.state.gm  # type: ignore[attr-defined]
    with state.database.write_session() as session:
        session.add(job(session.get(Employer, 1), 1, TODAY))
        session.commit()
    assert client.get("/api/analytics/sdg").json() == first  # still the cached answer
    state.cache.invalidate("analytics", "sdg")
    fresh = client.get("/api/analytics/sdg").json()["sdgs"]
    assert fresh[0] == {"sdg": 1, "jobs": 1, "applications": 0}


def test_match_requests_are_counted_per_day(tmp_path: Path) -> None:
    settings = embedded_settings(tmp_path, analytics_cache_ttl_seconds=0)
    with TestClient(create_app(settings)) as client:
        tally = client.app.state.gm.match_tally  # type: ignore[attr-defined]
        tally.flush()
        before = client.get("/api/analytics/activity?days=1").json()["activity"][0]["matches"]
        for text in ("wind turbines", "clean water", "solar"):
            assert client.post("/api/match", json={"text": text}).status_code == 200
        assert tally.flush() == 3
        after = client.get("/api/analytics/activity?days=1").json()["activity"][0]
        assert after["matches"] == before + 3


def fresh(api: Api, path: str) -> dict[str, object]:
    """The figures now, not the cached ones."""
    state = api.client.app.state.gm  # type: ignore[attr-defined]
    state.cache.invalidate("analytics", "sdg")
    state.cache.invalidate("analytics", f"activity:{TODAY.isoformat()}:1")
    answer = api.client.get(path)
    assert answer.status_code == 200
    result: dict[str, object] = answer.json()
    return result


def test_a_posting_and_an_application_show_up_on_every_backend(api: Api) -> None:
    """Embedded (SQLite) and MariaDB with a replica and three shards: the application is
    on a shard, the job on the main database; both are counted once."""
    sdg = 13
    before = fresh(api, "/api/analytics/sdg")["sdgs"][sdg - 1]  # type: ignore[index]
    today = fresh(api, "/api/analytics/activity?days=1")["activity"][0]  # type: ignore[index]
    employer, _ = api.login_as("employer", employer_name=f"Climate Co {uuid.uuid4().hex[:6]}")
    body = {
        "title": "Flood Barrier Engineer",
        "description": "Design flood barriers.",
        "sdg_tag": sdg,
        "salary_min": 1,
        "salary_max": 2,
        "location": "Hull",
    }
    job_id = employer.post("/api/jobs", json=body).json()["id"]
    candidate, _ = api.login_as("candidate")
    assert candidate.post(f"/api/jobs/{job_id}/apply").status_code == 201
    time.sleep(0.1)  # the replica of the MariaDB set-up is the same server
    after = fresh(api, "/api/analytics/sdg")["sdgs"][sdg - 1]  # type: ignore[index]
    assert after == {
        "sdg": sdg,
        "jobs": before["jobs"] + 1,
        "applications": before["applications"] + 1,
    }
    now = fresh(api, "/api/analytics/activity?days=1")["activity"][0]  # type: ignore[index]
    assert (now["postings"], now["applications"]) == (
        today["postings"] + 1,
        today["applications"] + 1,
    )
