"""Small readers over a Plan for the tests."""

from __future__ import annotations

import base64
from typing import Any

from infra.plan.inputs import lookup
from infra.plan.model import Plan, PlannedResource

RDS = "aws:rds/instance:Instance"
ASG = "aws:autoscaling/group:Group"
REDIS = "aws:elasticache/replicationGroup:ReplicationGroup"
TG = "aws:lb/targetGroup:TargetGroup"
LT = "aws:ec2/launchTemplate:LaunchTemplate"
SG = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
LISTENER = "aws:lb/listener:Listener"
RULE = "aws:lb/listenerRule:ListenerRule"
CDN = "aws:cloudfront/distribution:Distribution"


def by_name(plan: Plan, name: str, type_token: str | None = None) -> PlannedResource:
    found = [r for r in plan.resources if r.name == name and type_token in (None, r.type)]
    assert len(found) == 1, f"{name}: {len(found)} resources"
    return found[0]


def get(resource: PlannedResource, dotted: str) -> Any:
    return lookup(resource.inputs, dotted)


def writers(plan: Plan) -> list[PlannedResource]:
    return [r for r in plan.of_type(RDS) if not r.inputs.get("replicateSourceDb")]


def replicas(plan: Plan) -> list[PlannedResource]:
    return [r for r in plan.of_type(RDS) if r.inputs.get("replicateSourceDb")]


def asg_sizes(plan: Plan) -> dict[str, tuple[int, int, int]]:
    return {
        r.name: (r.inputs["minSize"], r.inputs["desiredCapacity"], r.inputs["maxSize"])
        for r in plan.of_type(ASG)
    }


def user_data(resource: PlannedResource) -> str:
    return base64.b64decode(resource.inputs["userData"]).decode()


def sg_names(plan: Plan) -> dict[str, str]:
    """Security-group id (as the mocks answer it) -> short role (alb, app, db ...)."""
    return {
        f"{r.name}-id": r.name.removeprefix("gm-network-").removesuffix("-sg")
        for r in plan.of_type(SG)
    }
