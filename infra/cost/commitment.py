"""The steady part of a plan priced at commitment rates (reserved / Savings Plans).

Steady = what runs every hour whatever the load: each ASG's minimum (its on-demand part:
spot capacity cannot be committed), every database instance, every cache node. The
saving is the on-demand instance-hours of that part times the table's discount.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from infra.cost.model import CostEstimate
from infra.cost.tables import PriceTable
from infra.errors import BadInputError
from infra.plan.inputs import as_bool, as_int, as_list, lookup
from infra.plan.model import Plan, PlannedResource
from infra.plan.types import tokens as t

Term = Literal["none", "1yr", "3yr"]
TERMS: tuple[str, ...] = ("none", "1yr", "3yr")


@dataclass(frozen=True)
class SteadyLine:
    name: str
    service: str  # ec2, rds, elasticache
    detail: str
    on_demand: float  # monthly, instance-hours of the steady part
    committed: float

    @property
    def saving(self) -> float:
        return self.on_demand - self.committed

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("on_demand", "committed"):
            data[key] = round(data[key], 2)
        data["saving"] = round(self.saving, 2)
        return data


@dataclass(frozen=True)
class CommitmentEstimate:
    term: str
    lines: list[SteadyLine]
    on_demand_total: float  # the whole plan at on-demand (the ordinary estimate)

    @property
    def saving(self) -> float:
        return sum(line.saving for line in self.lines)

    @property
    def total(self) -> float:
        return self.on_demand_total - self.saving

    def to_dict(self) -> dict[str, Any]:
        return {
            "term": self.term,
            "steady": [line.to_dict() for line in self.lines],
            "steady_on_demand": round(sum(line.on_demand for line in self.lines), 2),
            "saving": round(self.saving, 2),
            "on_demand_total": round(self.on_demand_total, 2),
            "total": round(self.total, 2),
        }


def check_term(term: str) -> str:
    if term not in TERMS:
        raise BadInputError(f"--commitment {term!r} is not one of {', '.join(TERMS)}")
    return term


def discount(prices: PriceTable, service: str, term: str) -> float:
    if term == "none":
        return 0.0
    return float(prices.data["commitments"][service][term])


def steady_asg(r: PlannedResource, plan: Plan, prices: PriceTable) -> tuple[int, str] | None:
    """(instances that always run on demand, instance type) of an ASG."""
    overrides = as_list(lookup(r.inputs, "mixedInstancesPolicy.launchTemplate.overrides"))
    instance_type = overrides[0].get("instanceType") if overrides else None
    if not instance_type:
        by_urn = plan.by_urn()
        for dep in r.dependencies:
            found = by_urn.get(dep)
            if found is not None and found.type == t.LAUNCH_TEMPLATE:
                instance_type = found.inputs.get("instanceType")
    if not instance_type:
        return None
    minimum = as_int(r.inputs.get("minSize"), 0)
    distribution = lookup(r.inputs, "mixedInstancesPolicy.instancesDistribution")
    if isinstance(distribution, dict):  # spot above the on-demand base: only the base is steady
        minimum = min(minimum, as_int(distribution.get("onDemandBaseCapacity"), 0))
    return minimum, str(instance_type)


def commitment_estimate(
    plan: Plan, prices: PriceTable, base: CostEstimate, term: str
) -> CommitmentEstimate:
    hours = prices.hours
    lines: list[SteadyLine] = []
    for r in plan.of_type(t.AUTOSCALING_GROUP):
        steady = steady_asg(r, plan, prices)
        hourly = prices.find("ec2_instance_hour", steady[1]) if steady else None
        if steady is None or hourly is None or steady[0] == 0:
            continue
        cost = steady[0] * hourly * hours
        lines.append(
            SteadyLine(
                r.name,
                "ec2",
                f"{steady[0]} x {steady[1]} (ASG minimum, on demand)",
                cost,
                cost * (1 - discount(prices, "ec2", term)),
            )
        )
    for r in plan.of_type(t.RDS_INSTANCE):
        klass = str(r.inputs.get("instanceClass", ""))
        hourly = prices.find("rds_instance_hour", klass)
        if hourly is None:
            continue
        factor = prices.rate("rds_multi_az_factor") if as_bool(r.inputs.get("multiAz")) else 1
        cost = hourly * factor * hours
        az = "Multi-AZ" if factor != 1 else "Single-AZ"
        lines.append(
            SteadyLine(
                r.name, "rds", f"{klass} {az}", cost, cost * (1 - discount(prices, "rds", term))
            )
        )
    for r in plan.of_type(t.REPLICATION_GROUP):
        node = str(r.inputs.get("nodeType", ""))
        hourly = prices.find("elasticache_node_hour", node)
        if hourly is None:
            continue
        nodes = as_int(r.inputs.get("numCacheClusters"), 1)
        cost = nodes * hourly * hours
        lines.append(
            SteadyLine(
                r.name,
                "elasticache",
                f"{nodes} x {node}",
                cost,
                cost * (1 - discount(prices, "elasticache", term)),
            )
        )
    return CommitmentEstimate(term, lines, base.total)
