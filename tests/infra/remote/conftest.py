"""A moto account with a stack's api and worker groups (one instance each)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

REGION = "us-east-1"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        ec2 = boto3.client("ec2", region_name=REGION)
        autoscaling = boto3.client("autoscaling", region_name=REGION)
        groups = {}
        for role in ("api", "worker"):
            template = ec2.create_launch_template(
                LaunchTemplateName=f"s-{role}",
                LaunchTemplateData={"ImageId": "ami-12c6146b", "InstanceType": "t3.micro"},
            )["LaunchTemplate"]
            autoscaling.create_auto_scaling_group(
                AutoScalingGroupName=f"s-{role}-asg",
                MinSize=1,
                MaxSize=2,
                DesiredCapacity=1,
                LaunchTemplate={"LaunchTemplateId": template["LaunchTemplateId"], "Version": "1"},
                AvailabilityZones=[f"{REGION}a"],
                Tags=[
                    {"Key": "Role", "Value": role, "PropagateAtLaunch": True},
                    {"Key": "Stack", "Value": "s", "PropagateAtLaunch": True},
                ],
            )
            groups[role] = template["LaunchTemplateId"]
        found = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=["s-worker-asg"])
        worker = found["AutoScalingGroups"][0]["Instances"][0]["InstanceId"]
        yield {
            "ec2": ec2,
            "autoscaling": autoscaling,
            "ssm": boto3.client("ssm", region_name=REGION),
            "worker": worker,
            "templates": groups,
            "groups": ["s-api-asg", "s-worker-asg"],
        }
