"""Preflight: credentials and region, instance types offered in the stack's AZs, quotas."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from infra.checks.results import CheckResult
from infra.plan.model import Plan

ClientFor = Callable[[str], Any]
ON_DEMAND_VCPU_QUOTA = "L-1216C47A"  # Running On-Demand Standard (A, C, D, H, I, M, R, T, Z)
VCPUS = {"nano": 2, "micro": 2, "small": 2, "medium": 2, "large": 2, "xlarge": 4}


def planned_instance_types(plan: Plan) -> set[str]:
    """EC2 instance types the plan's launch templates and mixed policies ask for."""
    found: set[str] = set()
    for res in plan.of_type("aws:ec2/launchTemplate:LaunchTemplate"):
        if res.inputs.get("instanceType"):
            found.add(str(res.inputs["instanceType"]))
    for res in plan.of_type("aws:autoscaling/group:Group"):
        mixed = res.inputs.get("mixedInstancesPolicy") or {}
        for override in mixed.get("launchTemplate", {}).get("overrides", []):
            found.add(str(override["instanceType"]))
    return found


def planned_zones(plan: Plan) -> set[str]:
    return {
        str(r.inputs["availabilityZone"])
        for r in plan.of_type("aws:ec2/subnet:Subnet")
        if r.inputs.get("availabilityZone")
    }


def vcpus(instance_type: str) -> int:
    """vCPUs of a size (``m6i.4xlarge`` -> 16); a planning estimate, not a price list."""
    size = instance_type.split(".", 1)[-1]
    if size.endswith("xlarge") and size[:-6].isdigit():
        return 4 * int(size[:-6])
    return VCPUS.get(size, 2)


def peak_vcpus(plan: Plan, types_of: dict[str, str]) -> int:
    """vCPUs if every ASG ran at its max size."""
    total = 0
    for res in plan.of_type("aws:autoscaling/group:Group"):
        instance_type = types_of.get(res.urn, "t3.medium")
        total += int(float(res.inputs.get("maxSize", 0))) * vcpus(instance_type)
    return total


def preflight(plan: Plan, region: str, client: ClientFor) -> list[CheckResult]:
    results: list[CheckResult] = []
    try:
        who = client("sts").get_caller_identity()
        results.append(CheckResult("credentials", region, "ok", f"account {who['Account']}"))
    except Exception as error:
        return [CheckResult("credentials", region, "fail", f"no usable credentials: {error}")]
    zones = planned_zones(plan)
    ec2 = client("ec2")
    offered_zones = {z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]}
    missing_zones = sorted(zones - offered_zones)
    results.append(
        CheckResult(
            "zones",
            ", ".join(sorted(zones)),
            "fail" if missing_zones else "ok",
            f"not in {region}: {', '.join(missing_zones)}" if missing_zones else "all offered",
        )
    )
    for instance_type in sorted(planned_instance_types(plan)):
        offers = ec2.describe_instance_type_offerings(
            LocationType="availability-zone",
            Filters=[{"Name": "instance-type", "Values": [instance_type]}],
        )["InstanceTypeOfferings"]
        where = {o["Location"] for o in offers}
        lacking = sorted(zones - where)
        results.append(
            CheckResult(
                "instance type",
                instance_type,
                "fail" if lacking else "ok",
                f"not offered in {', '.join(lacking)}"
                if lacking
                else f"offered in {len(zones)} AZs",
            )
        )
    results.append(_vcpu_quota(plan, client))
    return results


def _vcpu_quota(plan: Plan, client: ClientFor) -> CheckResult:
    types_of = _types_by_group(plan)
    needed = peak_vcpus(plan, types_of)
    try:
        quota = client("service-quotas").get_service_quota(
            ServiceCode="ec2", QuotaCode=ON_DEMAND_VCPU_QUOTA
        )["Quota"]["Value"]
    except Exception:
        return CheckResult(
            "quota",
            "on-demand vCPUs",
            "no-data",
            f"quota not readable; the ASGs at max size need {needed} vCPUs",
        )
    ok = needed <= float(quota)
    return CheckResult(
        "quota",
        "on-demand vCPUs",
        "ok" if ok else "fail",
        f"{needed} needed at max size, quota {quota:g}",
    )


def _types_by_group(plan: Plan) -> dict[str, str]:
    by_urn = plan.by_urn()
    types: dict[str, str] = {}
    for group in plan.of_type("aws:autoscaling/group:Group"):
        for dep in group.dependencies:
            found = by_urn.get(dep)
            if found is not None and found.type == "aws:ec2/launchTemplate:LaunchTemplate":
                types[group.urn] = str(found.inputs.get("instanceType", "t3.medium"))
    return types
