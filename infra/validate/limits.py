"""AWS limits that neither cfn-lint nor checkov check, read off the Plan's wire inputs.

Each check names the AWS document that states the limit. They see Pulumi detail the
template loses (an explicit name versus Pulumi's auto-name), so they run on the Plan.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from typing import Any

from infra.plan.model import Plan, PlannedResource
from infra.validate.cache import load_value, store_value
from infra.validate.model import ERROR, Finding

TOOL = "gm-limits"

# EC2 CreateSecurityGroup / AuthorizeSecurityGroupIngress (GroupDescription, Description):
# "Constraints: Up to 255 characters in length. Allowed characters are a-z, A-Z, 0-9,
# spaces, and ._-:/()#,@[]+=&;{}!$*" (EC2 API Reference). The same set for group names.
SG_TEXT = re.compile(r"^[A-Za-z0-9 ._\-:/()#,@\[\]+=&;{}!$*]*$")
SG_TEXT_MAX = 255

# ELBv2 CreateLoadBalancer / CreateTargetGroup Name: "at most 32 characters, must contain
# only alphanumeric characters or hyphens, and must not begin or end with a hyphen"; a load
# balancer name must not begin with "internal-" (ELBv2 API Reference).
ELB_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$")

# CloudWatch PutDashboard DashboardName: "can contain only alphanumerics, dash (-), and
# underscore (_)", 1-255 characters (CloudWatch API Reference).
DASHBOARD_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")

# RDS CreateDBInstance DBInstanceIdentifier: 1-63 letters, digits or hyphens; first a letter;
# no hyphen at the end nor two in a row (RDS API Reference). CreateDBProxy DBProxyName: the
# same rules. ElastiCache CreateReplicationGroup ReplicationGroupId: the same, 1-40 characters
# (ElastiCache API Reference).
IDENTIFIER = re.compile(r"^[A-Za-z](?:[A-Za-z0-9]|-(?!-))*$")


@dataclass(frozen=True)
class Limit:
    id: str
    types: tuple[str, ...]
    check: Callable[[PlannedResource], Iterator[str]]


def _finding(limit: Limit, resource: PlannedResource, message: str) -> Finding:
    return Finding(TOOL, limit.id, resource.urn, resource.name, resource.type, ERROR, message)


def _sg_text(field: str, value: Any) -> Iterator[str]:
    if not isinstance(value, str):
        return
    if len(value) > SG_TEXT_MAX:
        yield f"{field} is {len(value)} characters; EC2 allows at most {SG_TEXT_MAX}"
    bad = sorted({c for c in value if not SG_TEXT.match(c)})
    if bad:
        yield (
            f"{field} {value!r} has {''.join(bad)!r}; EC2 allows only a-z A-Z 0-9, space "
            "and ._-:/()#,@[]+=&;{}!$*"
        )


def security_group_text(resource: PlannedResource) -> Iterator[str]:
    if resource.type == "aws:ec2/securityGroup:SecurityGroup":
        yield from _sg_text("description", resource.inputs.get("description"))
        yield from _sg_text("name", resource.inputs.get("name"))
    else:
        yield from _sg_text("description", resource.inputs.get("description"))


def elb_name(resource: PlannedResource) -> Iterator[str]:
    name = resource.inputs.get("name")
    if isinstance(name, str):
        if not ELB_NAME.match(name):
            yield (
                f"name {name!r} ({len(name)} characters): ELB names are 1-32 letters, digits "
                "or hyphens, not starting or ending with a hyphen"
            )
        if resource.type == "aws:lb/loadBalancer:LoadBalancer" and name.startswith("internal-"):
            yield f"name {name!r}: a load balancer name must not begin with 'internal-'"
    prefix = resource.inputs.get("namePrefix")
    if isinstance(prefix, str) and len(prefix) > 6:
        # The provider allows a prefix of at most 6 characters (it adds 26 of its own).
        yield f"namePrefix {prefix!r} is longer than the 6 characters ELB names leave for it"


def dashboard_name(resource: PlannedResource) -> Iterator[str]:
    name = resource.inputs.get("dashboardName")
    if isinstance(name, str) and not DASHBOARD_NAME.match(name):
        yield (f"dashboardName {name!r}: CloudWatch allows 1-255 letters, digits, '-' and '_'")


def _identifier(field: str, value: Any, maximum: int) -> Iterator[str]:
    if not isinstance(value, str):
        return
    if len(value) > maximum or not IDENTIFIER.match(value) or value.endswith("-"):
        yield (
            f"{field} {value!r} ({len(value)} characters): 1-{maximum} letters, digits or "
            "hyphens, starting with a letter, no '--', not ending with '-'"
        )


def rds_identifier(resource: PlannedResource) -> Iterator[str]:
    if resource.type == "aws:rds/proxy:Proxy":
        yield from _identifier("name", resource.inputs.get("name"), 63)
    else:
        yield from _identifier("identifier", resource.inputs.get("identifier"), 63)


def cache_identifier(resource: PlannedResource) -> Iterator[str]:
    yield from _identifier("replicationGroupId", resource.inputs.get("replicationGroupId"), 40)


def cache_failover(resource: PlannedResource) -> Iterator[str]:
    """ElastiCache CreateReplicationGroup: automatic failover and Multi-AZ need a replica.

    "AutomaticFailoverEnabled ... must be true if Multi-AZ is enabled"; with one cache node
    there is nothing to fail over to ("NumCacheClusters ... must be at least 2 if automatic
    failover is enabled", ElastiCache API Reference).
    """
    inputs = resource.inputs
    nodes = int(inputs.get("numCacheClusters") or 1)
    if inputs.get("numNodeGroups"):  # cluster mode: replicas per shard instead
        nodes = 1 + int(inputs.get("replicasPerNodeGroup") or 0)
    if inputs.get("automaticFailoverEnabled") and nodes < 2:
        yield f"automaticFailoverEnabled with {nodes} cache node: failover needs at least 2"
    if inputs.get("multiAzEnabled"):
        if nodes < 2:
            yield f"multiAzEnabled with {nodes} cache node: Multi-AZ needs at least 2"
        if not inputs.get("automaticFailoverEnabled"):
            yield "multiAzEnabled needs automaticFailoverEnabled"


def health_check_timing(resource: PlannedResource) -> Iterator[str]:
    """ELBv2 CreateTargetGroup and VPC Lattice CreateTargetGroup: the health-check timeout
    must be smaller than the interval (ELBv2 API Reference, HealthCheckTimeoutSeconds;
    VPC Lattice API Reference, HealthCheckConfig)."""
    if resource.type == "aws:lb/targetGroup:TargetGroup":
        check = resource.inputs.get("healthCheck") or {}
        timeout, interval = check.get("timeout"), check.get("interval")
    else:
        check = (resource.inputs.get("config") or {}).get("healthCheck") or {}
        timeout = check.get("healthCheckTimeoutSeconds")
        interval = check.get("healthCheckIntervalSeconds")
    numbers = isinstance(timeout, int | float) and isinstance(interval, int | float)
    if numbers and timeout >= interval:  # type: ignore[operator]
        yield f"health check timeout {timeout} s is not below its interval {interval} s"


def storage_autoscaling(resource: PlannedResource) -> Iterator[str]:
    """RDS CreateDBInstance MaxAllocatedStorage: the upper limit for storage autoscaling,
    at least the allocated storage (0 turns autoscaling off) (RDS User Guide, "Managing
    capacity automatically with Amazon RDS storage autoscaling")."""
    allocated = resource.inputs.get("allocatedStorage")
    maximum = resource.inputs.get("maxAllocatedStorage")
    numbers = isinstance(allocated, int | float) and isinstance(maximum, int | float)
    if numbers and maximum and maximum < allocated:
        yield f"maxAllocatedStorage {maximum} GiB is below allocatedStorage {allocated} GiB"
    if resource.inputs.get("replicateSourceDb") and not maximum:
        # A replica's storage does not follow its source's: once the writer autoscales past
        # it, the replica fills up and stops replicating (RDS User Guide, read replicas).
        yield "a read replica without maxAllocatedStorage: it cannot grow with its writer"


def proxy_idle_timeout(resource: PlannedResource) -> Iterator[str]:
    """The reshard holds GET_LOCK on one connection for up to RESHARD_RUN_TIMEOUT_S; RDS Proxy
    closes a client connection idle for IdleClientTimeout (RDS User Guide, "RDS Proxy
    connection considerations"), taking the lock with it. The two must agree."""
    from infra.phases import RESHARD_RUN_TIMEOUT_S

    idle = resource.inputs.get("idleClientTimeout")
    idle = 1800 if idle is None else idle  # RDS Proxy's default
    if isinstance(idle, int | float) and idle < RESHARD_RUN_TIMEOUT_S:
        yield (
            f"idleClientTimeout {idle} s is shorter than a reshard run ({RESHARD_RUN_TIMEOUT_S} "
            "s): its GET_LOCK connection could be closed mid-run; raise it (up to 28800)"
        )


@cache
def ec2_instance_types() -> frozenset[str]:
    """Every instance type EC2 knows, from botocore's EC2 service model (``InstanceType``).

    Loading that model takes about a second, so the list is kept in the findings cache
    under botocore's version (``infra/validate/cache.py``)."""
    key = f"botocore-{metadata.version('botocore')}"
    kept = load_value("ec2-instance-types", key)
    if isinstance(kept, list) and kept:
        return frozenset(str(name) for name in kept)
    import botocore.session

    model = botocore.session.get_session().get_service_model("ec2")
    types = frozenset(model.shape_for("InstanceType").enum)
    store_value("ec2-instance-types", key, sorted(types))
    return types


def _instance_type(field: str, value: Any) -> Iterator[str]:
    from infra.validate.classes import unknown

    yield from unknown(field, value, ec2_instance_types(), "an EC2 instance type (botocore)")


def instance_types(resource: PlannedResource) -> Iterator[str]:
    if resource.type == "aws:ec2/launchTemplate:LaunchTemplate":
        yield from _instance_type("instanceType", resource.inputs.get("instanceType"))
        return
    mixed = resource.inputs.get("mixedInstancesPolicy") or {}
    for override in (mixed.get("launchTemplate") or {}).get("overrides") or []:
        yield from _instance_type("override instanceType", override.get("instanceType"))


LB_TYPES = ("aws:lb/loadBalancer:LoadBalancer", "aws:lb/targetGroup:TargetGroup")
LIMITS: tuple[Limit, ...] = (
    Limit(
        "GM-LIMIT-SG-TEXT",
        (
            "aws:ec2/securityGroup:SecurityGroup",
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
            "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
        ),
        security_group_text,
    ),
    Limit("GM-LIMIT-ELB-NAME", LB_TYPES, elb_name),
    Limit("GM-LIMIT-DASHBOARD-NAME", ("aws:cloudwatch/dashboard:Dashboard",), dashboard_name),
    Limit("GM-LIMIT-RDS-ID", ("aws:rds/instance:Instance", "aws:rds/proxy:Proxy"), rds_identifier),
    Limit(
        "GM-LIMIT-CACHE-ID",
        ("aws:elasticache/replicationGroup:ReplicationGroup",),
        cache_identifier,
    ),
    Limit(
        "GM-LIMIT-CACHE-FAILOVER",
        ("aws:elasticache/replicationGroup:ReplicationGroup",),
        cache_failover,
    ),
    Limit(
        "GM-LIMIT-HEALTH-TIMING",
        ("aws:lb/targetGroup:TargetGroup", "aws:vpclattice/targetGroup:TargetGroup"),
        health_check_timing,
    ),
    Limit("GM-LIMIT-RDS-STORAGE", ("aws:rds/instance:Instance",), storage_autoscaling),
    Limit("GM-LIMIT-PROXY-IDLE", ("aws:rds/proxy:Proxy",), proxy_idle_timeout),
    Limit(
        "GM-LIMIT-INSTANCE-TYPE",
        ("aws:ec2/launchTemplate:LaunchTemplate", "aws:autoscaling/group:Group"),
        instance_types,
    ),
)


CLASS = Limit(
    "GM-LIMIT-CLASS",
    ("aws:rds/instance:Instance", "aws:elasticache/replicationGroup:ReplicationGroup"),
    lambda _: iter(()),
)


def classes(resource: PlannedResource, region: str) -> list[str]:
    """RDS instance classes (MariaDB) and ElastiCache node types offered in ``region``."""
    from infra.validate.classes import cache_node_types, rds_classes, unknown

    if resource.type == "aws:rds/instance:Instance":
        engine = str(resource.inputs.get("engine") or "mariadb")
        known = rds_classes(region, engine)
        what = f"an RDS instance class for {engine} in {region}"
        return unknown("instanceClass", resource.inputs.get("instanceClass"), known, what)
    known = cache_node_types(region)
    what = f"an ElastiCache node type in {region}"
    return unknown("nodeType", resource.inputs.get("nodeType"), known, what)


def check_limits(plan: Plan, region: str = "us-east-1") -> list[Finding]:
    """Each resource's limits, then the sums across resources (``capacity.py``)."""
    from infra.validate.capacity import check_capacity

    findings = []
    for resource in plan.custom_resources():
        for limit in LIMITS:
            if resource.type in limit.types:
                findings += [_finding(limit, resource, m) for m in limit.check(resource)]
        if resource.type in CLASS.types:
            findings += [_finding(CLASS, resource, m) for m in classes(resource, region)]
    return findings + check_capacity(plan)
