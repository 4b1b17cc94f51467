"""Price every custom resource of a plan: priced, free by nature, or listed as unpriced."""

from __future__ import annotations

from infra.cost.model import CostEstimate, CostLine, Unpriced
from infra.cost.pricers import PRICERS, PricingContext
from infra.cost.tables import PriceTable, Usage
from infra.plan.model import Plan
from infra.plan.types import cost_class


def estimate(plan: Plan, prices: PriceTable, usage: Usage) -> CostEstimate:
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
