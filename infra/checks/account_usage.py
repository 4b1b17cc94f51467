"""Reading the account for the quota check: usage with describe calls, limits from
Service Quotas (the AWS default when Service Quotas will not say), and ``check_quotas``
that judges a plan against them. Read-only."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from infra.checks.quotas import (
    CACHE_NODES,
    EIPS,
    NAT_PER_AZ,
    ON_DEMAND_VCPUS,
    QUOTAS,
    RDS_INSTANCES,
    REGION,
    VPCS,
    AccountUsage,
    Counts,
    Limit,
    Quota,
    QuotaCheck,
    evaluate,
    is_standard,
    plan_counts,
    vcpus,
)
from infra.plan.model import Plan

ClientFor = Callable[[str], Any]
# NAT gateways count toward their quota while pending, available or deleting (VPC quotas page).
_NAT_COUNTED = ["pending", "available", "deleting"]


def why(error: Exception) -> str:
    """A short reason: the AWS error code when there is one."""
    response = getattr(error, "response", None)
    if isinstance(response, dict) and response.get("Error", {}).get("Code"):
        return str(response["Error"]["Code"])
    return " ".join(str(error).split())[:120] or type(error).__name__


def _pages(client: Any, operation: str, key: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
    for page in client.get_paginator(operation).paginate(**kwargs):
        yield from page.get(key, [])


def _instance_vcpus(instance: dict[str, Any]) -> int:
    cpu = instance.get("CpuOptions") or {}
    if cpu.get("CoreCount") and cpu.get("ThreadsPerCore"):
        return int(cpu["CoreCount"]) * int(cpu["ThreadsPerCore"])
    return vcpus(str(instance.get("InstanceType", "")))


def _tags(item: dict[str, Any]) -> dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in item.get("Tags") or []}


def _ec2_counts(ec2: Any) -> Counts:
    counts: Counter[tuple[str, str]] = Counter()
    addresses = ec2.describe_addresses()["Addresses"]
    counts[(EIPS.key, REGION)] = sum(1 for a in addresses if a.get("Domain", "vpc") == "vpc")
    counts[(VPCS.key, REGION)] = sum(1 for _ in _pages(ec2, "describe_vpcs", "Vpcs"))
    gateways = list(
        _pages(
            ec2,
            "describe_nat_gateways",
            "NatGateways",
            Filters=[{"Name": "state", "Values": _NAT_COUNTED}],
        )
    )
    subnet_ids = sorted({g["SubnetId"] for g in gateways if g.get("SubnetId")})
    zones = {}
    if subnet_ids:
        for subnet in _pages(ec2, "describe_subnets", "Subnets", SubnetIds=subnet_ids):
            zones[subnet["SubnetId"]] = subnet["AvailabilityZone"]
    for gateway in gateways:
        counts[(NAT_PER_AZ.key, zones.get(gateway.get("SubnetId", ""), "?"))] += 1
    return dict(counts)


def _vcpus(ec2: Any, project: str, stack: str) -> tuple[int, int]:
    """On-demand standard vCPUs running in the region, and those of this stack."""
    total = own = 0
    running = [{"Name": "instance-state-name", "Values": ["pending", "running"]}]
    for reservation in _pages(ec2, "describe_instances", "Reservations", Filters=running):
        for instance in reservation.get("Instances", []):
            if instance.get("InstanceLifecycle") == "spot":
                continue  # spot has its own quota
            if not is_standard(str(instance.get("InstanceType", ""))):
                continue
            count = _instance_vcpus(instance)
            total += count
            tags = _tags(instance)
            if tags.get("Project") == project and tags.get("Stack") == stack:
                own += count
    return total, own


def read_usage(client: ClientFor, project: str, stack: str) -> AccountUsage:
    """The account's usage per quota; a service that cannot be read is named, not guessed."""
    counts: Counts = {}
    unreadable: dict[str, str] = {}
    own_vcpus = 0
    try:
        counts.update(_ec2_counts(client("ec2")))
    except Exception as error:
        for quota in (EIPS, VPCS, NAT_PER_AZ):
            unreadable[quota.key] = why(error)
    try:
        total, own_vcpus = _vcpus(client("ec2"), project, stack)
        counts[(ON_DEMAND_VCPUS.key, REGION)] = total
    except Exception as error:
        unreadable[ON_DEMAND_VCPUS.key] = why(error)
    try:
        rds = client("rds")
        counts[(RDS_INSTANCES.key, REGION)] = sum(
            1 for _ in _pages(rds, "describe_db_instances", "DBInstances")
        )
    except Exception as error:
        unreadable[RDS_INSTANCES.key] = why(error)
    try:
        clusters = _pages(client("elasticache"), "describe_cache_clusters", "CacheClusters")
        counts[(CACHE_NODES.key, REGION)] = sum(int(c.get("NumCacheNodes", 1)) for c in clusters)
    except Exception as error:
        unreadable[CACHE_NODES.key] = why(error)
    return AccountUsage(counts, unreadable, own_vcpus)


def read_limit(service_quotas: Any, quota: Quota) -> Limit:
    """The applied value; else the AWS default Service Quotas gives; else our copy of it."""
    ids = {"ServiceCode": quota.service_code, "QuotaCode": quota.quota_code}
    try:
        value = service_quotas.get_service_quota(**ids)["Quota"]["Value"]
        return Limit(float(value), True, "applied, from Service Quotas")
    except Exception as error:
        applied_error = why(error)
    try:
        value = service_quotas.get_aws_default_service_quota(**ids)["Quota"]["Value"]
        return Limit(
            float(value),
            False,
            f"AWS default from Service Quotas; the applied value was not readable: {applied_error}",
        )
    except Exception:
        return Limit(
            quota.default, False, f"AWS default; Service Quotas did not answer: {applied_error}"
        )


def read_limits(client: ClientFor) -> dict[str, Limit]:
    try:
        service_quotas = client("service-quotas")
    except Exception as error:
        reason = why(error)
        return {
            q.key: Limit(q.default, False, f"AWS default; no Service Quotas client: {reason}")
            for q in QUOTAS
        }
    return {quota.key: read_limit(service_quotas, quota) for quota in QUOTAS}


def check_quotas(
    plan: Plan, client: ClientFor, *, deployed: Plan | None = None
) -> list[QuotaCheck]:
    """Check the Service Quotas a deploy of ``plan`` needs, in the region of ``client``.

    ``client(service)`` returns a boto3 client (``"ec2"``, ``"rds"``, ``"elasticache"``,
    ``"service-quotas"``) for the stack's region and account: real AWS, or the emulator.
    ``deployed`` is the plan the stack runs today (an engine's ``deployed_plan(stack)``),
    whose resources are already in the account's usage and are not counted twice; None for
    a new stack. Quotas Service Quotas will not give fall back to their AWS default, and
    each ``QuotaCheck.limit.source`` says which it was. Nothing is created or changed.

    Each ``QuotaCheck`` has ``ok``, ``need``, ``limit.value`` and ``to_result()`` (a
    ``CheckResult`` named "quota", status "fail" on a shortfall).
    """
    usage = read_usage(client, plan.project, plan.stack)
    owned = plan_counts(deployed) if deployed is not None else {}
    # vCPUs: the stack's running instances, not its plan's max sizes, are in the usage.
    owned = {k: v for k, v in owned.items() if k[0] != ON_DEMAND_VCPUS.key}
    owned[(ON_DEMAND_VCPUS.key, REGION)] = usage.own_vcpus
    return evaluate(plan_counts(plan), owned, usage, read_limits(client))
