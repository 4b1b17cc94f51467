from __future__ import annotations

import uuid

from prometheus_client.parser import text_string_to_metric_families

from tests.app.conftest import Api


def scrape(api: Api) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
    text = api.client.get("/metrics").text
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
    assert "# TYPE gm_http_errors_total counter" in api.client.get("/metrics").text
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
