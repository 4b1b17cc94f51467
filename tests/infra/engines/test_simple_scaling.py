"""The guide's simple scaling policies, rehearsed on the emulator: alarms wired to policies
that move the group by one instance."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from infra.emulator.server import Emulator
from infra.stack_files import write_stack_config
from tests.infra.factories import aws


def stack_with(stack: str, **own: Any) -> None:
    config = {"aws:region": "us-east-1", "green-matchers:phase": 1}
    config.update({f"green-matchers:{k}": v for k, v in own.items()})
    write_stack_config(stack, config, Path(os.environ["GM_INFRA_STACKS_DIR"]))


def test_simple_scaling_moves_the_group_one_instance_at_a_time(emu: Emulator, run: Any) -> None:
    stack_with("simple", api={"scaling": "simple"})
    result = run("phase", "1", "--stack", "simple", "--engine", "local", "--yes", "--no-validate")
    assert result.exit_code == 0, result.output

    autoscaling = aws(emu, "autoscaling")
    group = autoscaling.describe_auto_scaling_groups()["AutoScalingGroups"][0]
    name = group["AutoScalingGroupName"]
    policies = autoscaling.describe_policies(AutoScalingGroupName=name)["ScalingPolicies"]
    by_step = {p["ScalingAdjustment"]: p for p in policies}
    assert set(by_step) == {1, -1}
    assert all(p["PolicyType"] == "SimpleScaling" and p["Cooldown"] == 300 for p in policies)

    alarms = aws(emu, "cloudwatch").describe_alarms()["MetricAlarms"]
    actions = {
        a["AlarmActions"][0]: (a["ComparisonOperator"], a["Threshold"])
        for a in alarms
        if "cpu-scale" in a["AlarmName"]
    }
    assert actions == {
        by_step[1]["PolicyARN"]: ("GreaterThanThreshold", 80.0),
        by_step[-1]["PolicyARN"]: ("LessThanThreshold", 20.0),
    }

    def desired() -> int:
        found = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[name])
        return int(found["AutoScalingGroups"][0]["DesiredCapacity"])

    assert desired() == 1
    autoscaling.execute_policy(
        AutoScalingGroupName=name, PolicyName=by_step[1]["PolicyName"], HonorCooldown=False
    )
    assert desired() == 2
    autoscaling.execute_policy(
        AutoScalingGroupName=name, PolicyName=by_step[-1]["PolicyName"], HonorCooldown=False
    )
    assert desired() == 1


def test_a_bad_scaling_mode_in_a_stack_file_exits_2_before_anything(
    emu: Emulator, run: Any
) -> None:
    stack_with("bad", workers=None, api={"scaling": "steps"})
    result = run("phase", "1", "--stack", "bad", "--engine", "local", "--yes")
    assert result.exit_code == 2
    line = result.stderr.splitlines()[0]
    assert line.startswith("error: green-matchers:api.scaling='steps' is not allowed")
    assert "targetTracking" in line and "simple" in line
    assert "Traceback" not in result.output
    assert not aws(emu, "ec2").describe_nat_gateways()["NatGateways"]
