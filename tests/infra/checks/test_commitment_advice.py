"""gm-infra rightsize suggests a commitment for what ran steadily over --days."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from infra.checks.commitment_advice import advise
from infra.emulator.server import Emulator
from tests.infra.factories import aws


def test_advice_needs_every_hour_covered() -> None:
    steady = advise("asg", "g", "t3.medium", [2.0] * 23 + [3.0], days=1)
    assert (steady.term, steady.steady) == ("1yr", 2)
    assert advise("asg", "g", "t3.medium", [2.0] * 12, days=1).term == "none"  # half the hours
    assert advise("asg", "g", "t3.medium", [2.0] * 23 + [0.0], days=1).term == "none"
    assert advise("rds", "db", "db.r6g.large", [1.0] * 24 * 90, days=90).term == "3yr"


def test_rightsize_suggests_a_term_from_cloudwatch(emu: Emulator, run: Any) -> None:
    deployed = run("phase", "1", "--stack", "rs", "--engine", "local", "--yes", "--no-validate")
    assert deployed.exit_code == 0, deployed.output
    cloudwatch = aws(emu, "cloudwatch")
    group = aws(emu, "autoscaling").describe_auto_scaling_groups()["AutoScalingGroups"][0][
        "AutoScalingGroupName"
    ]
    now = datetime.now(UTC)
    cloudwatch.put_metric_data(
        Namespace="AWS/AutoScaling",
        MetricData=[
            {"MetricName": "GroupInServiceInstances", "Timestamp": now - timedelta(hours=h),
             "Value": 1.0, "Unit": "None",
             "Dimensions": [{"Name": "AutoScalingGroupName", "Value": group}]}
            for h in range(1, 25)
        ],
    )  # fmt: skip
    result = run("rightsize", "--stack", "rs", "--engine", "local", "--days", "1", "--json")
    assert result.exit_code == 0, result.output
    advice = {c["target"]: c for c in json.loads(result.stdout)["commitments"]}
    assert advice[group]["term"] == "1yr" and advice[group]["steady"] == 1
    (db,) = [c for c in advice.values() if c["kind"] == "rds"]
    assert db["term"] == "none" and "not enough" in db["reason"]  # no CPU data published


@pytest.fixture(autouse=True)
def _wide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
