"""Fleet scaling: target tracking by default, the scalability guide's simple policies on ask."""

from __future__ import annotations

from typing import Any

import pytest

from infra.errors import SettingsError
from infra.plan.build import record_plan
from infra.plan.model import Plan
from infra.settings import settings_from_config
from tests.infra.plan_readers import get

POLICY = "aws:autoscaling/policy:Policy"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


def stack_config(phase: int, **own: Any) -> dict[str, Any]:
    return {
        "aws:region": "us-east-1",
        "green-matchers:phase": phase,
        **{f"green-matchers:{k}": v for k, v in own.items()},
    }


def policies_of(plan: Plan, fleet: str) -> list[Any]:
    return [p for p in plan.of_type(POLICY) if p.name.startswith(f"{fleet}-")]


def test_every_fleet_tracks_cpu_by_default(plans: dict[int, Plan]) -> None:
    for plan in plans.values():
        kinds = {p.inputs["policyType"] for p in plan.of_type(POLICY)}
        assert kinds == {"TargetTrackingScaling"}
        assert len(plan.of_type(POLICY)) == len(plan.of_type("aws:autoscaling/group:Group"))


def test_simple_scaling_is_the_guides_plus_minus_one_with_300s_cooldown() -> None:
    settings = settings_from_config("s", stack_config(2, api={"scaling": "simple"}))
    plan = record_plan(settings)
    api = {p.name: p for p in policies_of(plan, "gm-api")}
    assert set(api) == {"gm-api-scale-out", "gm-api-scale-in"}
    for name, step in (("gm-api-scale-out", 1), ("gm-api-scale-in", -1)):
        policy = api[name].inputs
        assert policy["policyType"] == "SimpleScaling"
        assert policy["adjustmentType"] == "ChangeInCapacity"
        assert policy["scalingAdjustment"] == step
        assert policy["cooldown"] == 300
    alarms = {a.name: a for a in plan.of_type(ALARM) if a.name.startswith("gm-api-cpu-scale")}
    high, low = alarms["gm-api-cpu-scale-out"], alarms["gm-api-cpu-scale-in"]
    assert (get(high, "comparisonOperator"), get(high, "threshold")) == (
        "GreaterThanThreshold",
        80,
    )
    assert (get(low, "comparisonOperator"), get(low, "threshold")) == ("LessThanThreshold", 20)
    for alarm, policy in ((high, api["gm-api-scale-out"]), (low, api["gm-api-scale-in"])):
        assert get(alarm, "metricName") == "CPUUtilization"
        assert get(alarm, "dimensions.AutoScalingGroupName") == "gm-api-asg"
        assert get(alarm, "alarmActions") == [
            f"arn:aws:autoscaling:us-east-1:123456789012:{policy.name}"
        ]
        assert policy.urn in alarm.dependencies
    # the other fleets keep target tracking
    workers = policies_of(plan, "gm-worker")
    assert [p.inputs["policyType"] for p in workers] == ["TargetTrackingScaling"]


@pytest.mark.parametrize("value", ["step", "TargetTracking", ""])
def test_an_unknown_scaling_mode_names_key_value_and_what_is_allowed(value: str) -> None:
    with pytest.raises(SettingsError) as caught:
        settings_from_config("s", stack_config(4, services={"scaling": value}))
    error = caught.value
    assert error.key == "green-matchers:services.scaling"
    assert error.value == value
    assert "targetTracking" in error.allowed and "simple" in error.allowed
