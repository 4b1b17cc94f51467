"""Preflight: credentials and region, instance types offered in the stack's AZs, and the
service quotas the plan needs (``infra/checks/quotas.py``). Read-only: nothing is created."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from infra.checks.account_usage import check_quotas
from infra.checks.results import CheckResult
from infra.plan.model import Plan
from infra.plan.types import tokens as t

ClientFor = Callable[[str], Any]


def planned_instance_types(plan: Plan) -> set[str]:
    """EC2 instance types the plan's launch templates and mixed policies ask for."""
    found: set[str] = set()
    for res in plan.of_type(t.LAUNCH_TEMPLATE):
        if res.inputs.get("instanceType"):
            found.add(str(res.inputs["instanceType"]))
    for res in plan.of_type(t.AUTOSCALING_GROUP):
        mixed = res.inputs.get("mixedInstancesPolicy") or {}
        for override in mixed.get("launchTemplate", {}).get("overrides", []):
            found.add(str(override["instanceType"]))
    return found


def planned_zones(plan: Plan) -> set[str]:
    return {
        str(r.inputs["availabilityZone"])
        for r in plan.of_type(t.SUBNET)
        if r.inputs.get("availabilityZone")
    }


def preflight(
    plan: Plan, region: str, client: ClientFor, deployed: Plan | None = None
) -> list[CheckResult]:
    """Checks before a deploy; ``deployed`` is what the stack runs today (None: new stack)."""
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
    results += [check.to_result() for check in check_quotas(plan, client, deployed=deployed)]
    return results
