from __future__ import annotations

import uuid
from pathlib import Path

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from app.main import create_app
from tests.app.conftest import METRICS_TOKEN, Api, embedded_settings
from tests.app.live_server import live, raw_get

AUTH = {"Authorization": f"Bearer {METRICS_TOKEN}"}


def scrape(api: Api) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
    response = api.client.get("/metrics", headers=AUTH)
    assert response.status_code == 200, response.text
    text = response.text
    samples: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            key = tuple(sorted(sample.labels.items()))
            samples.setdefault(sample.name, {})[key] = sample.value
    return samples


def test_metrics_cover_requests_latency_errors_cache_pool_and_business(api: Api) -> None:
    before = scrape(api)
    api.client.get("/health")
    api.client.get("/api/jobs/999999")
    employer, _ = api.login_as("employer", employer_name=f"Metrics Co {uuid.uuid4().hex[:6]}")
    job = {"title": "Grid Analyst", "description": "Balance the grid.", "sdg_tag": 7,
           "salary_min": 1, "salary_max": 2, "location": "Oslo"}  # fmt: skip
    job_id = employer.post("/api/jobs", json=job).json()["id"]
    candidate, _ = api.login_as("candidate")
    assert candidate.post(f"/api/jobs/{job_id}/apply").status_code == 201
    api.client.post("/api/match", json={"text": "grid balancing"})
    api.client.get("/api/careers")
    api.client.get("/api/careers")
    after = scrape(api)

    def delta(name: str, **labels: str) -> float:
        key = tuple(sorted(labels.items()))
        return after.get(name, {}).get(key, 0.0) - before.get(name, {}).get(key, 0.0)

    health = {"method": "GET", "route": "/health", "status": "200"}
    assert delta("gm_http_requests_total", **health) == 1
    missing = {"method": "GET", "route": "/api/jobs/{job_id}", "status": "404"}
    assert delta("gm_http_requests_total", **missing) == 1
    assert delta("gm_http_request_duration_seconds_count", method="GET", route="/health") == 1
    assert "# TYPE gm_http_errors_total counter" in api.client.get("/metrics", headers=AUTH).text
    assert delta("gm_jobs_posted_total") == 1
    assert delta("gm_applications_submitted_total") == 1
    assert delta("gm_matches_served_total") == 1
    assert delta("gm_logins_total") == 2
    assert delta("gm_cache_hits_total", cache="careers") >= 1
    assert (
        delta("gm_cache_hits_total", cache="careers")
        + delta("gm_cache_misses_total", cache="careers")
        == 2
    )
    assert after["gm_db_pool_checked_out"][(("engine", "writer"),)] >= 0
    assert after["gm_db_pool_size"][(("engine", "writer"),)] >= 5


SPELLINGS = [
    "/metrics", "/metrics/", "//metrics", "/metrics//", "/%6Detrics", "/%6detrics/",
    "/METRICS", "/Metrics", "/metrics%2F", "/%2Fmetrics", "/./metrics", "/api/../metrics",
    "/metrics?format=prometheus", "/metrics;x", "/metrics%00", "/health/../metrics",
    "/%2e/metrics", "http://127.0.0.1/metrics", "/metrics%20", "/metrics#x",
]  # fmt: skip
BAD_AUTH = [
    {}, {"Authorization": "Bearer wrong"}, {"Authorization": METRICS_TOKEN},
    {"Authorization": f"Basic {METRICS_TOKEN}"},
    {"Authorization": f"Bearer {METRICS_TOKEN[:-1]}"},
]  # fmt: skip


def test_metrics_need_the_token_whatever_the_path_spelling(tmp_path: Path) -> None:
    """Raw request targets through a real uvicorn: nothing normalises them on the way."""
    app = create_app(embedded_settings(tmp_path, demo_data=False))
    with live(app) as server:
        for target in SPELLINGS:
            for headers in BAD_AUTH:
                code, body = raw_get(server.port, target, headers)
                assert code in (307, 400, 401, 404, 405, 422), (target, headers, code)
                assert b"gm_http_requests" not in body, (target, headers)
        code, body = raw_get(server.port, "/metrics", AUTH)
        assert code == 200 and b"gm_http_requests_total" in body
        code, body = raw_get(server.port, "/%6Detrics", AUTH)  # same endpoint, same check
        assert code == 200 and b"gm_http_requests_total" in body
        code, body = raw_get(server.port, "/metrics")
        assert code == 401 and b"www-authenticate: Bearer" in body.lower().replace(
            b"bearer", b"Bearer"
        )


def test_metrics_are_off_without_a_token(tmp_path: Path) -> None:
    app = create_app(embedded_settings(tmp_path, metrics_token="", demo_data=False))
    with TestClient(app) as client:
        assert client.get("/metrics").status_code == 404
        assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404
