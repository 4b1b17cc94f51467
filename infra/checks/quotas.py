"""Service quotas a plan needs, against what the account has: pure calculations.

For each quota: what the account uses today apart from this stack, plus what the plan holds,
must fit under the limit. What the stack already owns is taken out of the account's usage
first, so promoting phase 1 to 2 does not count phase 1's NAT address twice. Reading the
account (boto3), and ``check_quotas`` that joins the two, live in
``infra/checks/account_usage.py``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from infra.checks.results import CheckResult, Status
from infra.plan.inputs import as_int, as_list, lookup
from infra.plan.model import Plan, PlannedResource
from infra.plan.types import tokens as t

REGION = "region"  # the scope of a per-Region quota


@dataclass(frozen=True)
class Quota:
    """A Service Quotas entry and its AWS default (used when it cannot be read)."""

    key: str
    name: str
    service_code: str
    quota_code: str
    default: float
    unit: str  # plural: "addresses", "vCPUs"
    per_az: bool = False

    def units(self, count: int) -> str:
        if count != 1:
            return self.unit
        return self.unit.removesuffix("es") if self.unit.endswith("sses") else self.unit[:-1]


# Codes and defaults as Service Quotas lists them (console: Service Quotas > AWS services).
EIPS = Quota("eips", "EC2-VPC Elastic IPs", "ec2", "L-0263D0A3", 5, "addresses")
VPCS = Quota("vpcs", "VPCs per Region", "vpc", "L-F678F1CE", 5, "VPCs")
NAT_PER_AZ = Quota(
    "nat-per-az", "NAT gateways per Availability Zone", "vpc", "L-FE5A380F", 5, "gateways", True
)
# Counted in vCPUs; 5 is the default of a new account (AWS raises it as the account is used).
ON_DEMAND_VCPUS = Quota(
    "on-demand-vcpus",
    "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances",
    "ec2",
    "L-1216C47A",
    5,
    "vCPUs",
)
RDS_INSTANCES = Quota("rds-instances", "RDS DB instances", "rds", "L-7B6409FD", 40, "instances")
CACHE_NODES = Quota(
    "cache-nodes", "ElastiCache nodes per Region", "elasticache", "L-DFE45DF3", 300, "nodes"
)
QUOTAS: tuple[Quota, ...] = (EIPS, VPCS, NAT_PER_AZ, ON_DEMAND_VCPUS, RDS_INSTANCES, CACHE_NODES)

# (quota key, scope) -> amount; the scope is REGION or an availability zone.
Counts = dict[tuple[str, str], int]

STANDARD_FAMILIES = frozenset("acdhimrtz")  # first letter of the families L-1216C47A covers
_SMALL_SIZES = {"nano": 2, "micro": 2, "small": 2, "medium": 2, "large": 2, "xlarge": 4}


def vcpus(instance_type: str) -> int:
    """vCPUs of a size (``m6i.4xlarge`` -> 16), true for the t3/m/c/r families used here."""
    size = instance_type.split(".", 1)[-1]
    if size.endswith("xlarge") and size[:-6].isdigit():
        return 4 * int(size[:-6])
    return _SMALL_SIZES.get(size, 2)


def is_standard(instance_type: str) -> bool:
    return instance_type[:1].lower() in STANDARD_FAMILIES


def on_demand_at_max(group: PlannedResource) -> int:
    """Instances the ASG runs on demand at its max size (spot share left out)."""
    high = as_int(group.inputs.get("maxSize"))
    spread = lookup(group.inputs, "mixedInstancesPolicy.instancesDistribution")
    if not isinstance(spread, dict):
        return high
    base = min(as_int(spread.get("onDemandBaseCapacity")), high)
    percent = as_int(spread.get("onDemandPercentageAboveBaseCapacity"), 100)
    return base + math.ceil((high - base) * percent / 100)


def group_instance_type(group: PlannedResource, by_urn: dict[str, PlannedResource]) -> str:
    """The ASG's instance type: its first override, else its launch template's."""
    overrides = as_list(lookup(group.inputs, "mixedInstancesPolicy.launchTemplate.overrides"))
    if overrides and isinstance(overrides[0], dict) and overrides[0].get("instanceType"):
        return str(overrides[0]["instanceType"])
    for urn in group.dependencies:
        found = by_urn.get(urn)
        if found is not None and found.type == t.LAUNCH_TEMPLATE:
            return str(found.inputs.get("instanceType", "t3.medium"))
    return "t3.medium"


def cache_nodes(group: PlannedResource) -> int:
    if group.inputs.get("numNodeGroups"):
        groups = as_int(group.inputs["numNodeGroups"])
        return groups * (as_int(group.inputs.get("replicasPerNodeGroup")) + 1)
    return as_int(group.inputs.get("numCacheClusters"), 1)


def plan_counts(plan: Plan) -> Counts:
    """What the plan holds, per quota and scope (vCPUs: every ASG at its max size)."""
    by_urn = plan.by_urn()
    counts: Counter[tuple[str, str]] = Counter()
    counts[(EIPS.key, REGION)] = len(plan.of_type(t.EIP))
    counts[(VPCS.key, REGION)] = len(plan.of_type(t.VPC))
    for nat in plan.of_type(t.NAT_GATEWAY):
        subnets = [
            by_urn[u] for u in nat.dependencies if u in by_urn and by_urn[u].type == t.SUBNET
        ]
        zone = str(subnets[0].inputs.get("availabilityZone", "?")) if subnets else "?"
        counts[(NAT_PER_AZ.key, zone)] += 1
    for group in plan.of_type(t.AUTOSCALING_GROUP):
        instance_type = group_instance_type(group, by_urn)
        if is_standard(instance_type):
            counts[(ON_DEMAND_VCPUS.key, REGION)] += on_demand_at_max(group) * vcpus(instance_type)
    counts[(RDS_INSTANCES.key, REGION)] = len(plan.of_type(t.RDS_INSTANCE))
    counts[(CACHE_NODES.key, REGION)] = sum(
        cache_nodes(g) for g in plan.of_type(t.REPLICATION_GROUP)
    )
    return dict(counts)


@dataclass(frozen=True)
class Limit:
    value: float
    applied: bool  # read from the account; False: the AWS default stands in
    source: str  # where the value came from, said to the user


@dataclass(frozen=True)
class QuotaCheck:
    """One quota in one scope: the need against the limit."""

    quota: Quota
    scope: str
    planned: int  # what the plan holds
    owned: int  # what the stack holds today (already inside in_use)
    in_use: int | None  # the account's usage; None when it could not be read
    limit: Limit
    usage_note: str = ""

    @property
    def elsewhere(self) -> int:
        """Usage in the account that is not this stack's."""
        return max((self.in_use or 0) - self.owned, 0)

    @property
    def need(self) -> int:
        return self.elsewhere + self.planned

    @property
    def ok(self) -> bool:
        return self.need <= self.limit.value

    @property
    def target(self) -> str:
        where = f" in {self.scope}" if self.scope != REGION else ""
        return f"{self.quota.name} ({self.quota.quota_code}){where}"

    def detail(self) -> str:
        used = (
            f"{self.elsewhere} in use outside this stack"
            if self.in_use is not None
            else f"account usage not readable ({self.usage_note})"
        )
        return (
            f"need {self.need} {self.quota.units(self.need)} "
            f"({used} + {self.planned} in the plan), "
            f"limit {self.limit.value:g} ({self.limit.source})"
        )

    def to_result(self) -> CheckResult:
        status: Status
        if not self.ok:
            status = "fail"
        elif self.in_use is None:
            status = "no-data"
        else:
            status = "ok"
        return CheckResult("quota", self.target, status, self.detail())

    def to_dict(self) -> dict[str, Any]:
        return {
            "quota": self.quota.name,
            "serviceCode": self.quota.service_code,
            "quotaCode": self.quota.quota_code,
            "scope": self.scope,
            "planned": self.planned,
            "owned": self.owned,
            "inUse": self.in_use,
            "need": self.need,
            "limit": self.limit.value,
            "limitApplied": self.limit.applied,
            "limitSource": self.limit.source,
            "ok": self.ok,
        }


@dataclass(frozen=True)
class AccountUsage:
    """What the account uses today (this stack included), as read from AWS."""

    counts: Counts
    unreadable: dict[str, str]  # quota key -> why its usage could not be read
    own_vcpus: int = 0  # on-demand standard vCPUs of this stack's running instances


def evaluate(
    planned: Counts, owned: Counts, usage: AccountUsage, limits: dict[str, Limit]
) -> list[QuotaCheck]:
    """Need vs limit for every quota and scope the plan, the stack or the account touch.

    A quota whose usage could not be read is judged on the plan alone (status no-data
    unless the plan alone is over the limit).
    """
    checks = []
    for quota in QUOTAS:
        scopes = {REGION}
        if quota.per_az:
            scopes = {s for (k, s) in (*planned, *owned, *usage.counts) if k == quota.key}
        for scope in sorted(scopes):
            key = (quota.key, scope)
            readable = quota.key not in usage.unreadable
            checks.append(
                QuotaCheck(
                    quota,
                    scope,
                    planned.get(key, 0),
                    owned.get(key, 0),
                    usage.counts.get(key, 0) if readable else None,
                    limits[quota.key],
                    usage.unreadable.get(quota.key, ""),
                )
            )
    return checks


ClientFor = Callable[[str], Any]
