"""Our AWS limits, one resource at a time (pure functions, no judges run)."""

from __future__ import annotations

from typing import Any

import pytest

from infra.naming import dashboard_name, sg_text
from infra.plan.model import Plan, PlannedResource
from infra.validate.limits import check_limits, ec2_instance_types


def _plan(type_token: str, inputs: dict[str, Any], name: str = "r") -> Plan:
    resource = PlannedResource(
        f"urn:pulumi:t::p::{type_token}::{name}", type_token, name, True, None, inputs
    )
    return Plan("p", "t", 1, [resource], {})


def _rules(type_token: str, inputs: dict[str, Any]) -> list[str]:
    return [f.rule for f in check_limits(_plan(type_token, inputs))]


SG = "aws:ec2/securityGroup:SecurityGroup"
TG = "aws:lb/targetGroup:TargetGroup"
LB = "aws:lb/loadBalancer:LoadBalancer"
RDS = "aws:rds/instance:Instance"
CACHE = "aws:elasticache/replicationGroup:ReplicationGroup"


@pytest.mark.parametrize(
    ("type_token", "inputs", "expected"),
    [
        (SG, {"description": "ALB: 80/443 from anywhere (v4, v6) & more!"}, []),
        (SG, {"description": "the platform's instances"}, ["GM-LIMIT-SG-TEXT"]),
        (SG, {"description": "x" * 256}, ["GM-LIMIT-SG-TEXT"]),
        (TG, {"name": "a" * 32}, []),
        (TG, {"name": "a" * 33}, ["GM-LIMIT-ELB-NAME"]),
        (TG, {"name": "-leading"}, ["GM-LIMIT-ELB-NAME"]),
        (TG, {"name": "under_score"}, ["GM-LIMIT-ELB-NAME"]),
        (LB, {"name": "internal-web"}, ["GM-LIMIT-ELB-NAME"]),
        (TG, {"healthCheck": {"timeout": 5, "interval": 30}}, []),
        (TG, {"healthCheck": {"timeout": 30, "interval": 30}}, ["GM-LIMIT-HEALTH-TIMING"]),
        (RDS, {"identifier": "gm-phase4-db"}, []),
        (RDS, {"identifier": "4gm"}, ["GM-LIMIT-RDS-ID"]),
        (RDS, {"identifier": "gm-db-"}, ["GM-LIMIT-RDS-ID"]),
        (RDS, {"identifier": "g" * 64}, ["GM-LIMIT-RDS-ID"]),
        (RDS, {"allocatedStorage": 100, "maxAllocatedStorage": 0}, []),
        (RDS, {"allocatedStorage": 100, "maxAllocatedStorage": 99}, ["GM-LIMIT-RDS-STORAGE"]),
        (CACHE, {"replicationGroupId": "r" * 41}, ["GM-LIMIT-CACHE-ID"]),
        (CACHE, {"numCacheClusters": 2, "automaticFailoverEnabled": True}, []),
        (
            CACHE,
            {"numCacheClusters": 1, "automaticFailoverEnabled": True},
            ["GM-LIMIT-CACHE-FAILOVER"],
        ),
        (
            CACHE,
            {"numCacheClusters": 1, "multiAzEnabled": True, "automaticFailoverEnabled": True},
            ["GM-LIMIT-CACHE-FAILOVER", "GM-LIMIT-CACHE-FAILOVER"],
        ),
        (
            "aws:cloudwatch/dashboard:Dashboard",
            {"dashboardName": "gm-a.b"},
            ["GM-LIMIT-DASHBOARD-NAME"],
        ),
        ("aws:ec2/launchTemplate:LaunchTemplate", {"instanceType": "t3.medium"}, []),
        (
            "aws:ec2/launchTemplate:LaunchTemplate",
            {"instanceType": "t3.mediun"},
            ["GM-LIMIT-INSTANCE-TYPE"],
        ),
        (
            "aws:autoscaling/group:Group",
            {
                "mixedInstancesPolicy": {
                    "launchTemplate": {"overrides": [{"instanceType": "t9.nano"}]}
                }
            },
            ["GM-LIMIT-INSTANCE-TYPE"],
        ),
    ],
)
def test_limit(type_token: str, inputs: dict[str, Any], expected: list[str]) -> None:
    assert _rules(type_token, inputs) == expected


def test_instance_types_come_from_botocore() -> None:
    types = ec2_instance_types()
    assert len(types) > 500 and {"t3.medium", "r6g.large", "m7i.xlarge"} <= types


def test_components_refuse_a_bad_security_group_text() -> None:
    assert sg_text("HTTPS from the internet") == "HTTPS from the internet"
    with pytest.raises(ValueError, match="platform's"):
        sg_text("the platform's instances")


@pytest.mark.parametrize("stack", ["phase4", "team.staging", "a_b-c", "dev.2026.11"])
def test_dashboard_names_are_valid_for_any_pulumi_stack_name(stack: str) -> None:
    name = dashboard_name(f"green-matchers-{stack}")
    rules = _rules("aws:cloudwatch/dashboard:Dashboard", {"dashboardName": name})
    assert rules == [] and name.startswith("green-matchers-")
