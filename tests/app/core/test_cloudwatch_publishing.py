"""End to end: the app serves traffic and its metrics arrive in the emulator's CloudWatch."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from fastapi.testclient import TestClient

from app.core.cloudwatch_datums import APP_METRICS
from app.main import create_app
from tests.app.conftest import Api, embedded_settings

pytest.importorskip("moto", reason="the emulator needs the 'local' extra (moto[server])")

from infra.emulator.server import Emulator, start

NAMESPACE = "GreenMatchers"


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    running = start()
    yield running
    running.stop()


@pytest.fixture
def cloudwatch(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Any:
    emulator.reset()
    for name, value in {
        "AWS_ENDPOINT_URL": emulator.endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    return boto3.client("cloudwatch", endpoint_url=emulator.endpoint, region_name="us-east-1")


def serve_traffic(tmp_path: Path, **overrides: object) -> dict[str, int]:
    """Run an app with publishing on, send known traffic, stop it (the last flush)."""
    settings = embedded_settings(
        tmp_path,
        metrics_namespace=NAMESPACE,
        metrics_interval_seconds=0.2,
        metrics_stack="demo",
        metrics_phase=2,
        **overrides,
    )
    with TestClient(create_app(settings)) as client:
        api = Api(client)
        api.client.get("/health")
        assert api.client.get("/api/jobs/999999").status_code == 404
        employer, _ = api.login_as("employer", employer_name=f"CW Co {uuid.uuid4().hex[:6]}")
        job = {"title": "Solar Tech", "description": "Install panels.", "sdg_tag": 7,
               "salary_min": 1, "salary_max": 2, "location": "Lyon"}  # fmt: skip
        job_id = employer.post("/api/jobs", json=job).json()["id"]
        candidate, _ = api.login_as("candidate")
        assert candidate.post(f"/api/jobs/{job_id}/apply").status_code == 201
        assert api.client.post("/api/match", json={"text": "solar panels"}).status_code == 200
        api.client.get("/api/careers")
        api.client.get("/api/careers")
        recommend = {"text": "renewable energy"}
        assert api.client.post("/api/careers/recommend", json=recommend).status_code == 200
        publisher = client.app.state.gm.publisher  # type: ignore[attr-defined]
        assert publisher is not None
    assert publisher.calls >= 1 and publisher.pending == []
    return {"sessions": 2}


def total(cloudwatch: Any, name: str, stat: str = "Sum", unit: str | None = None) -> float:
    now = datetime.now(UTC)
    extra = {"Unit": unit} if unit else {}
    points = cloudwatch.get_metric_statistics(
        Namespace=NAMESPACE,
        MetricName=name,
        Dimensions=[
            {"Name": "Stack", "Value": "demo"},
            {"Name": "Service", "Value": "api"},
            {"Name": "Phase", "Value": "2"},
        ],
        StartTime=now - timedelta(hours=1),
        EndTime=now + timedelta(minutes=5),
        Period=3600,
        Statistics=[stat],
        **extra,
    )["Datapoints"]
    if stat == "Maximum":
        return max((p[stat] for p in points), default=0.0)
    return sum(p[stat] for p in points)


def test_app_metrics_arrive_with_names_units_and_dimensions(
    cloudwatch: Any, tmp_path: Path
) -> None:
    serve_traffic(tmp_path)
    listed = cloudwatch.list_metrics(Namespace=NAMESPACE)["Metrics"]
    names = {metric["MetricName"] for metric in listed}
    for metric in listed:  # Stack, Service, Phase and nothing else (no per-instance names)
        expected = (
            {"Stack"}
            if metric["MetricName"].startswith("Outbox")
            else {"Stack", "Service", "Phase"}
        )
        assert {d["Name"] for d in metric["Dimensions"]} == expected  # the outbox: stack-wide
    base = {name.split(".", 1)[0] for name in names}
    assert base == set(APP_METRICS), set(APP_METRICS) ^ base
    assert {"DbPoolCheckedOut.writer", "DbPoolSize.writer", "DbPoolOverflow.writer"} <= names
    # At least the traffic sent (/health, 404, logins ...); the 404 counted as a 4xx.
    requests = total(cloudwatch, "RequestCount", unit="Count")
    assert requests >= 8
    assert total(cloudwatch, "Errors4xx") >= 1
    assert total(cloudwatch, "Errors5xx") == 0
    assert total(cloudwatch, "Latency", "SampleCount", unit="Milliseconds") == requests
    assert total(cloudwatch, "Latency", unit="Count") == 0  # the unit is part of the contract
    assert total(cloudwatch, "JobsPosted") == 1
    assert total(cloudwatch, "ApplicationsSubmitted") == 1
    assert total(cloudwatch, "Matches") == 1
    assert total(cloudwatch, "CareerRecommendations") == 1
    assert total(cloudwatch, "CacheHits") >= 1
    assert total(cloudwatch, "ActiveUsers", "Maximum") == 2  # employer and candidate sessions
    assert 0 < total(cloudwatch, "ProcessMemory", "Maximum", unit="Megabytes") < 64_000
    assert 0 < total(cloudwatch, "InstanceMemoryUtilization", "Maximum", unit="Percent") <= 100
    # The outbox is published stack-wide; the alarm on its age uses the same dimension.
    points = cloudwatch.get_metric_statistics(
        Namespace=NAMESPACE,
        MetricName="OutboxOldestAge",
        Dimensions=[{"Name": "Stack", "Value": "demo"}],
        StartTime=datetime.now(UTC) - timedelta(hours=1),
        EndTime=datetime.now(UTC) + timedelta(minutes=5),
        Period=3600,
        Statistics=["Maximum"],
        Unit="Seconds",
    )["Datapoints"]
    assert points and all(0 <= p["Maximum"] < 3600 for p in points)
