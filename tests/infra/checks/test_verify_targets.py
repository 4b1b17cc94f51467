"""Target health: `initial` is waited for, then reported; unhealthy fails at once."""

from __future__ import annotations

from typing import Any

from infra.checks.verify import VerifyOptions, check_target_groups

ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/gm-api/abc"


class FakeElb:
    def __init__(self, rounds: list[list[str]]):
        self.rounds = rounds
        self.calls = 0

    def describe_target_health(self, TargetGroupArn: str) -> dict[str, Any]:
        states = self.rounds[min(self.calls, len(self.rounds) - 1)]
        self.calls += 1
        return {"TargetHealthDescriptions": [{"TargetHealth": {"State": s}} for s in states]}


def test_initial_targets_are_waited_for_then_healthy() -> None:
    elb = FakeElb([["initial", "healthy"], ["healthy", "healthy"]])
    [result] = check_target_groups(elb, [ARN], VerifyOptions(target_timeout_s=5, poll_s=0.01))
    assert result.status == "ok" and elb.calls == 2


def test_targets_still_initial_at_timeout_fail() -> None:
    elb = FakeElb([["initial", "healthy"]])
    [result] = check_target_groups(elb, [ARN], VerifyOptions(target_timeout_s=0.05, poll_s=0.01))
    assert result.status == "fail" and "still initial" in result.detail


def test_unhealthy_targets_fail() -> None:
    elb = FakeElb([["unhealthy", "healthy"]])
    [result] = check_target_groups(elb, [ARN], VerifyOptions(target_timeout_s=5, poll_s=0.01))
    assert result.status == "fail" and "1 unhealthy" in result.detail
