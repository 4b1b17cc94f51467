"""gm-infra metrics against the emulator: the app's own metrics (published by a running app)
and AWS's (seeded), one row per seed item and fleet, missing ones said as missing."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from infra.emulator.server import Emulator
from infra.observability.seed_items import SEED_ITEMS
from tests.infra.factories import aws


@pytest.fixture
def gm() -> Any:
    from cli import GmGroup
    from infra.commands import metrics, phase

    app = typer.Typer(cls=GmGroup, pretty_exceptions_enable=False)
    phase.register(app)
    metrics.register(app)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args))


def publish_from_the_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, emu: Emulator) -> int:
    """A real app publishing to the emulator as stack demo, phase 1; returns requests sent."""
    from app.main import create_app
    from tests.app.conftest import Api, embedded_settings

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    settings = embedded_settings(
        tmp_path / "app",
        metrics_namespace="GreenMatchers",
        metrics_interval_seconds=0.2,
        metrics_stack="demo",
        metrics_phase=1,
        metrics_region="us-east-1",
    )
    with TestClient(create_app(settings)) as client:
        api = Api(client)
        employer, _ = api.login_as("employer", employer_name=f"M Co {uuid.uuid4().hex[:6]}")
        job = {"title": "Wind Tech", "description": "Turbines.", "sdg_tag": 7,
               "salary_min": 1, "salary_max": 2, "location": "Bergen"}  # fmt: skip
        assert employer.post("/api/jobs", json=job).status_code == 201
        for _ in range(20):
            api.client.get("/health")
    return 1


def seed_aws_metrics(emu: Emulator, db_id: str, asg: str) -> None:
    now = datetime.now(UTC) - timedelta(minutes=5)
    cloudwatch = aws(emu, "cloudwatch")
    rds = [{"Name": "DBInstanceIdentifier", "Value": db_id}]
    cloudwatch.put_metric_data(
        Namespace="AWS/RDS",
        MetricData=[
            {"MetricName": "CPUUtilization", "Dimensions": rds, "Timestamp": now, "Value": 42.0,
             "Unit": "Percent"},
            {"MetricName": "ReadIOPS", "Dimensions": rds, "Timestamp": now, "Value": 120.0,
             "Unit": "Count/Second"},
        ],
    )  # fmt: skip
    cloudwatch.put_metric_data(
        Namespace="AWS/EC2",
        MetricData=[
            {"MetricName": "CPUUtilization", "Timestamp": now, "Value": 17.5, "Unit": "Percent",
             "Dimensions": [{"Name": "AutoScalingGroupName", "Value": asg}]},
        ],
    )  # fmt: skip


def test_metrics_shows_the_seed_list_per_fleet_with_missing_items_said(
    emu: Emulator, gm: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deployed = gm("phase", "1", "--stack", "demo", "--engine", "local", "--yes", "--no-validate")
    assert deployed.exit_code == 0, deployed.output
    publish_from_the_app(tmp_path, monkeypatch, emu)
    groups = aws(emu, "autoscaling").describe_auto_scaling_groups()["AutoScalingGroups"]
    asg = groups[0]["AutoScalingGroupName"]
    db_id = aws(emu, "rds").describe_db_instances()["DBInstances"][0]["DBInstanceIdentifier"]
    seed_aws_metrics(emu, db_id, asg)

    result = gm("metrics", "--stack", "demo", "--engine", "local", "--since", "1h", "--format",
                "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    rows = {(r["item"], r["fleet"]): r for r in report["rows"]}
    assert {r["item"] for r in report["rows"]} == {item.label for item in SEED_ITEMS}

    def value(item: str, fleet: str = "api") -> float:
        found = rows[(item, fleet)]["value"]
        assert found is not None, rows[(item, fleet)]
        return float(found)

    assert value("request rate") * 3600 >= 20  # at least the 20 /health calls in an hour
    for p in ("p50", "p95", "p99"):
        assert value(f"response time {p}") > 0
    assert value("response time p50") <= value("response time p99")
    assert value("error rate (5xx)") == 0
    assert 0 < value("instance memory") <= 100
    assert value("jobs posted") == 1
    assert value("active users (5 min)") == 1
    assert value("CPU", asg) == 17.5
    assert value("database CPU", db_id) == 42.0
    assert value("disk I/O read", db_id) == 120.0
    # Said as missing, not zero: nothing published them; phase 1 has no replica.
    assert rows[("replication lag", "-")]["missing"] == "no such fleet"
    assert rows[("connections", db_id)]["value"] is None
    assert rows[("connections", db_id)]["missing"] == "no data"
    cache = next(fleet for item, fleet in rows if item == "evictions")
    assert rows[("evictions", cache)]["missing"] == "no data"

    monkeypatch.setenv("COLUMNS", "200")  # rich wraps cells in a narrow terminal
    table = gm("metrics", "--stack", "demo", "--engine", "local")
    assert table.exit_code == 0 and "missing (no such fleet)" in table.output
    assert "response time p99" in table.output


def test_metrics_refuses_a_bad_since(gm: Any, emu: Emulator) -> None:
    result = gm("metrics", "--stack", "demo", "--engine", "local", "--since", "ages")
    assert result.exit_code == 2
    assert "--since 'ages' is not a duration" in result.output


def test_the_emulator_answers_percentiles_by_nearest_rank() -> None:
    from infra.emulator.extensions import percentile

    values = [1.0] * 90 + [5.0] * 9 + [100.0]
    assert (percentile(values, 50), percentile(values, 95), percentile(values, 99)) == (
        1.0,
        5.0,
        5.0,
    )
    assert percentile(values, 99.5) == 100.0
