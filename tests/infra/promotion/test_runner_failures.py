"""Refusals and rollbacks: non-loopback endpoint, missing pulumi CLI, failed verify."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from infra.emulator.server import Emulator
from infra.engines.local import LocalEngine
from infra.promotion.history import read_history
from tests.infra.factories import aws


def test_non_loopback_endpoint_is_refused(run: Any) -> None:
    result = run(
        "phase",
        "1",
        "--stack",
        "x",
        "--engine",
        "local",
        "--yes",
        "--endpoint-url",
        "http://10.1.2.3:5000",
    )
    assert result.exit_code == 2
    assert "not on loopback" in result.output


def test_pulumi_engine_without_cli(
    run: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    # --stacks-dir still works, hidden and with a warning (the project root replaces it)
    result = run(
        "phase", "1", "--stack", "x", "--engine", "pulumi", "--yes", "--stacks-dir", str(tmp_path)
    )
    assert result.exit_code == 2
    assert "--stacks-dir is deprecated" in result.stderr
    assert "pulumi CLI is not installed" in result.output
    assert "--engine local" in result.output


class _Unhealthy:
    """An elbv2 client whose targets are all unhealthy (moto says healthy at once)."""

    def __init__(self, inner: Any):
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def describe_target_health(self, **kwargs: Any) -> Any:
        found = self.inner.describe_target_health(**kwargs)
        for target in found["TargetHealthDescriptions"]:
            target["TargetHealth"] = {"State": "unhealthy", "Reason": "Target.FailedHealthChecks"}
        return found


def test_failed_verify_rolls_back(
    emu: Emulator, run: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    first = run("phase", "1", "--stack", "rb", "--engine", "local", "--yes", "--no-validate")
    assert first.exit_code == 0
    original = LocalEngine.client

    def client(self: LocalEngine, service: str, region: str) -> Any:
        made = original(self, service, region)
        return _Unhealthy(made) if service == "elbv2" else made

    monkeypatch.setattr(LocalEngine, "client", client)
    result = run(
        "phase",
        "2",
        "--stack",
        "rb",
        "--engine",
        "local",
        "--yes",
        "--target-timeout",
        "1",
        "--no-validate",
    )
    assert result.exit_code == 1
    assert "rolled back to phase 1" in result.output
    assert "unhealthy" in result.output
    groups = aws(emu, "autoscaling").describe_auto_scaling_groups()["AutoScalingGroups"]
    assert [g["DesiredCapacity"] for g in groups] == [1]  # the phase-1 api ASG only
    assert [h["result"] for h in read_history("rb")] == ["promoted", "rolled-back"]

    monkeypatch.setattr(LocalEngine, "client", original)
    verified = run("verify", "--stack", "rb", "--engine", "local", "--json")
    assert verified.exit_code == 0, verified.output

    # Rightsize on seeded CloudWatch data: the api ASG idles at ~10% CPU.
    cloudwatch = aws(emu, "cloudwatch")
    group = groups[0]["AutoScalingGroupName"]
    now = datetime.now(UTC)
    cloudwatch.put_metric_data(
        Namespace="AWS/EC2",
        MetricData=[
            {
                "MetricName": "CPUUtilization",
                "Timestamp": now - timedelta(hours=h),
                "Value": 8.0 + (h % 5),
                "Unit": "Percent",
                "Dimensions": [{"Name": "AutoScalingGroupName", "Value": group}],
            }
            for h in range(1, 25)
        ],
    )
    cloudwatch.put_metric_data(
        Namespace="AWS/RDS",
        MetricData=[
            {
                "MetricName": "CPUUtilization",
                "Timestamp": now - timedelta(hours=h),
                "Value": 91.0,
                "Unit": "Percent",
                "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": "gm-rb-db"}],
            }
            for h in range(1, 25)
        ],
    )
    stack_file = tmp_path / "stacks" / "Pulumi.rb.yaml"
    kept = stack_file.read_text()
    unasked = run("rightsize", "--stack", "rb", "--engine", "local", "--json", "--write")
    assert unasked.exit_code == 2, unasked.output  # nothing to confirm on, and no --yes
    assert "no terminal" in unasked.output and "--yes" in unasked.output
    assert stack_file.read_text() == kept
    sized = run("rightsize", "--stack", "rb", "--engine", "local", "--json", "--write", "--yes")
    assert sized.exit_code == 0, sized.output
    proposal = json.loads(sized.stdout)["proposal"]
    # every resource the new sizes touch is named (the alarm's threshold follows the class)
    assert proposal["resources"] == ["gm-api-lt", "gm-db", "gm-monitoring-db-connections"]
    # one db.t3.medium -> db.t3.large (+$0.068/h) and one t3.medium -> t3.small (-$0.0208/h)
    cost = proposal["monthly_cost"]
    assert cost["change"] == pytest.approx((0.068 - 0.0208) * 730, abs=0.01)
    assert cost["after"] - cost["before"] == pytest.approx(cost["change"], abs=0.01)
    assert "+34.46" in sized.stderr
    by_target = {s["target"]: s for s in json.loads(sized.stdout)["suggestions"]}
    assert by_target[group]["verdict"] == "down" and by_target[group]["suggested"] == "t3.small"
    db = by_target["gm-rb-db"]
    assert db["verdict"] == "up" and db["suggested"] == "db.t3.large" and db["peak"] == 91.0
    assert json.loads(sized.stdout)["written"] == {"api": "t3.small", "database": "db.t3.large"}


def test_without_a_terminal_or_yes_it_refuses_before_any_check(
    emu: Emulator, run: Any, tmp_path: Any
) -> None:
    result = run("phase", "1", "--stack", "tty", "--engine", "local")
    assert result.exit_code == 2
    assert "no terminal" in result.output and "--yes" in result.output
    assert "preflight" not in result.output  # refused before the checks, not after them
    assert not (tmp_path / "stacks" / "Pulumi.tty.yaml").exists()


def test_a_refused_new_stack_leaves_no_stack_file(
    emu: Emulator, run: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    original = LocalEngine.client

    def client(self: LocalEngine, service: str, region: str) -> Any:
        made = original(self, service, region)
        return _Unhealthy(made) if service == "elbv2" else made

    monkeypatch.setattr(LocalEngine, "client", client)
    args = ("--stack", "fresh", "--engine", "local", "--yes", "--no-validate")
    result = run("phase", "1", *args, "--target-timeout", "1")
    assert result.exit_code == 1, result.output
    assert "verify failed" in result.output
    # The promotion never committed: no stack file claims phase 1.
    assert not (tmp_path / "stacks" / "Pulumi.fresh.yaml").exists()
    monkeypatch.setattr(LocalEngine, "client", original)
    again = run("phase", "1", *args)
    assert again.exit_code == 0, again.output
    assert (tmp_path / "stacks" / "Pulumi.fresh.yaml").exists()
