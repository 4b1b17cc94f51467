"""Price every custom resource of a plan: priced, free by nature, or listed as unpriced."""

from __future__ import annotations

from infra.cost.model import CostEstimate, CostLine, Unpriced
from infra.cost.pricers import PRICERS, PricingContext
from infra.cost.tables import PriceTable, Usage
from infra.errors import BadInputError
from infra.plan.model import Plan
from infra.plan.region import plan_region
from infra.plan.types import cost_class


def estimate(plan: Plan, prices: PriceTable, usage: Usage) -> CostEstimate:
    """The plan's monthly cost at the table's prices; refused (exit 2, naming both regions)
    when the plan is for a region the table does not price."""
    check_region(plan, prices)
    ctx = PricingContext(prices, usage, plan.by_urn())
    lines: list[CostLine] = []
    unpriced: list[Unpriced] = []
    free = 0
    for resource in plan.custom_resources():
        pricer = PRICERS.get(resource.type)
        # the catalogue says which types are priced; PRICERS holds the functions (a test
        # keeps the two in step)
        if pricer is not None:
            result = pricer(resource, ctx)
            if isinstance(result, CostLine):
                lines.append(result)
            else:
                unpriced.append(result)
        elif cost_class(resource.type) == "free":
            free += 1
        else:
            unpriced.append(
                Unpriced(resource.urn, resource.type, resource.name, "no pricer for this type")
            )
    return CostEstimate(
        plan.stack, prices.currency, prices.version, prices.read_on, lines, unpriced, free
    )


def check_region(plan: Plan, prices: PriceTable) -> None:
    table_region = prices.data.get("region")
    region = plan_region(plan)
    if table_region and region and region != table_region:
        raise BadInputError(
            f"stack {plan.stack} is in {region}, but the price table has {table_region} "
            "prices only: its cost would be wrong",
            hint=f"pass --prices with a table for {region} (its `region:` says {region})",
        )
