"""Test data for the infrastructure tests.

- crafted plans: small, compliant by default, one override away from each violation;
- a real plan with one resource's inputs changed (``mutate``);
- user-data contexts for every role and phase the stacks render;
- boto3 clients on the emulator.
"""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

import boto3

from infra.emulator.server import Emulator
from infra.plan.model import Plan, PlannedResource
from infra.render.examples import example_context
from infra.render.userdata import UserDataContext

STACK = "test"
PROJECT = "green-matchers"


def urn(type_token: str, name: str, stack: str = STACK) -> str:
    return f"urn:pulumi:{stack}::{PROJECT}::{type_token}::{name}"


def res(
    type_token: str,
    name: str,
    inputs: dict[str, Any] | None = None,
    deps: list[PlannedResource] | None = None,
    *,
    protect: bool = False,
    stack: str = STACK,
) -> PlannedResource:
    return PlannedResource(
        urn=urn(type_token, name, stack),
        type=type_token,
        name=name,
        custom=True,
        parent=None,
        inputs=inputs or {},
        dependencies=[d.urn for d in deps or []],
        protect=protect,
    )


def plan_of(*resources: PlannedResource, stack: str = STACK, phase: int = 1) -> Plan:
    return Plan(PROJECT, stack, phase, list(resources), {})


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def compliant() -> dict[str, PlannedResource]:
    """A small web stack that passes every rule, keyed by short name."""
    r: dict[str, PlannedResource] = {}
    r["vpc"] = res("aws:ec2/vpc:Vpc", "gm-vpc", {"cidrBlock": "10.0.0.0/16"})
    r["alb_sg"] = res("aws:ec2/securityGroup:SecurityGroup", "gm-alb-sg", {}, [r["vpc"]])
    r["app_sg"] = res("aws:ec2/securityGroup:SecurityGroup", "gm-app-sg", {}, [r["vpc"]])
    for port in (80, 443):
        r[f"alb_in_{port}"] = res(
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
            f"gm-alb-in-{port}",
            {
                "securityGroupId": "sg-alb",
                "cidrIpv4": "0.0.0.0/0",
                "ipProtocol": "tcp",
                "fromPort": port,
                "toPort": port,
            },
            [r["alb_sg"]],
        )
    r["app_in"] = res(
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "gm-app-in",
        {
            "securityGroupId": "sg-app",
            "referencedSecurityGroupId": "sg-alb",
            "ipProtocol": "tcp",
            "fromPort": 8000,
            "toPort": 8000,
        },
        [r["app_sg"], r["alb_sg"]],
    )
    r["alb"] = res(
        "aws:lb/loadBalancer:LoadBalancer",
        "gm-alb",
        {
            "loadBalancerType": "application",
            "dropInvalidHeaderFields": True,
            "securityGroups": ["sg-alb"],
        },
        [r["alb_sg"]],
    )
    r["tg"] = res("aws:lb/targetGroup:TargetGroup", "gm-api-tg", {"port": 8000}, [r["vpc"]])
    r["http"] = res(
        "aws:lb/listener:Listener",
        "gm-http",
        {
            "port": 80,
            "protocol": "HTTP",
            "defaultActions": [
                {
                    "type": "redirect",
                    "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"},
                }
            ],
        },
        [r["alb"]],
    )
    r["https"] = res(
        "aws:lb/listener:Listener",
        "gm-https",
        {
            "port": 443,
            "protocol": "HTTPS",
            "certificateArn": "arn:aws:acm:cert",
            "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "defaultActions": [{"type": "forward", "targetGroupArn": "arn:tg"}],
        },
        [r["alb"], r["tg"]],
    )
    r["db"] = res(
        "aws:rds/instance:Instance",
        "gm-db",
        {
            "engine": "mariadb",
            "instanceClass": "db.t3.medium",
            "allocatedStorage": 50,
            "storageType": "gp3",
            "multiAz": False,
            "storageEncrypted": True,
            "publiclyAccessible": False,
            "backupRetentionPeriod": 7,
            "deletionProtection": True,
            "password": "[secret]",
        },
        protect=True,
    )
    r["cache"] = res(
        "aws:elasticache/replicationGroup:ReplicationGroup",
        "gm-cache",
        {
            "engine": "redis",
            "nodeType": "cache.t3.small",
            "numCacheClusters": 1,
            "atRestEncryptionEnabled": True,
            "transitEncryptionEnabled": True,
            "authToken": "[secret]",
        },
        protect=True,
    )
    r["lt"] = res(
        "aws:ec2/launchTemplate:LaunchTemplate",
        "gm-api-lt",
        {
            "instanceType": "t3.medium",
            "metadataOptions": {"httpTokens": "required"},
            "userData": b64("#!/bin/bash\nDB_PASSWORD=$(aws secretsmanager get-secret-value)\n"),
        },
        [r["app_sg"], r["db"], r["cache"]],
    )
    r["asg"] = res(
        "aws:autoscaling/group:Group",
        "gm-api-asg",
        {
            "minSize": 1,
            "maxSize": 4,
            "desiredCapacity": 2,
            "launchTemplate": {"id": "lt-1", "version": "$Latest"},
            "targetGroupArns": ["arn:tg"],
        },
        [r["lt"], r["tg"]],
    )
    r["bucket"] = res("aws:s3/bucket:Bucket", "gm-assets", {"forceDestroy": False}, protect=True)
    r["pab"] = res(
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "gm-assets-public-access",
        {
            "bucket": "gm-assets-id",
            "blockPublicAcls": True,
            "blockPublicPolicy": True,
            "ignorePublicAcls": True,
            "restrictPublicBuckets": True,
        },
        [r["bucket"]],
    )
    r["cdn"] = res(
        "aws:cloudfront/distribution:Distribution",
        "gm-cdn",
        {
            "defaultCacheBehavior": {"viewerProtocolPolicy": "redirect-to-https"},
            "orderedCacheBehaviors": [
                {"pathPattern": "/api/*", "viewerProtocolPolicy": "https-only"}
            ],
            "viewerCertificate": {
                "acmCertificateArn": "arn:aws:acm:us-east-1:cert",
                "minimumProtocolVersion": "TLSv1.2_2021",
                "sslSupportMethod": "sni-only",
            },
        },
        [r["bucket"], r["alb"]],
    )
    r["nat"] = res("aws:ec2/natGateway:NatGateway", "gm-nat-0", {"subnetId": "subnet-1"})
    r["lattice_network"] = res(
        "aws:vpclattice/serviceNetwork:ServiceNetwork", "gm-net", {"authType": "AWS_IAM"}
    )
    r["lattice_service"] = res(
        "aws:vpclattice/service:Service", "gm-ai", {"authType": "AWS_IAM"}, [r["lattice_network"]]
    )
    r["lattice_auth"] = res(
        "aws:vpclattice/authPolicy:AuthPolicy",
        "gm-ai-auth",
        {
            "resourceIdentifier": "arn:aws:vpc-lattice:us-east-1:123456789012:service/svc-1",
            "policy": json.dumps(
                {
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": "*",
                            "Action": "vpc-lattice-svcs:Invoke",
                            "Resource": "*",
                            "Condition": {"StringEquals": {"vpc-lattice-svcs:SourceVpc": "vpc-1"}},
                        }
                    ]
                }
            ),
        },
        [r["lattice_service"]],
    )
    return r


def with_inputs(resource: PlannedResource, **changes: Any) -> PlannedResource:
    """A copy with top-level inputs replaced (None deletes a key)."""
    inputs = copy.deepcopy(resource.inputs)
    for key, value in changes.items():
        if value is None:
            inputs.pop(key, None)
        else:
            inputs[key] = value
    return PlannedResource(
        resource.urn,
        resource.type,
        resource.name,
        resource.custom,
        resource.parent,
        inputs,
        list(resource.dependencies),
        resource.protect,
    )


def compliant_plan(**replace: PlannedResource) -> Plan:
    resources = compliant()
    resources.update(replace)
    return plan_of(*resources.values())


def mutate(plan: Plan, name: str, inputs: dict[str, Any]) -> Plan:
    """``plan`` with the named resource's inputs updated (nested dicts merged one level)."""
    resources = []
    found = False
    for resource in plan.resources:
        if resource.name == name and resource.custom:
            found = True
            merged = copy.deepcopy(resource.inputs)
            for key, value in inputs.items():
                if isinstance(value, dict) and isinstance(merged.get(key), dict):
                    merged[key] = {**merged[key], **value}
                else:
                    merged[key] = value
            resource = PlannedResource(
                resource.urn,
                resource.type,
                resource.name,
                resource.custom,
                resource.parent,
                merged,
                resource.dependencies,
                resource.protect,
            )
        resources.append(resource)
    assert found, f"no resource {name} in the plan"
    return Plan(plan.project, plan.stack, plan.phase, resources, plan.outputs)


# Every role and phase the stacks render: (role, phase, service_name).
ROLE_PHASES: list[tuple[str, int, str | None]] = [
    ("api", 1, None),
    ("api", 2, None),
    ("worker", 2, None),
    ("api", 3, None),
    ("worker", 3, None),
    ("api", 4, None),
    ("worker", 4, None),
    ("service", 4, "matching"),
    ("service", 4, "ai-ml"),  # the one phase-4 fleet with the model step (install-model)
]


def context(role: str, phase: int, service: str | None) -> UserDataContext:
    return example_context(role, phase, service)  # type: ignore[arg-type]


def aws(emulator: Emulator, service: str) -> Any:
    """A boto3 client for ``service`` on the emulator."""
    return boto3.client(
        service,
        endpoint_url=emulator.endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
