"""What ``rightsize --write`` would change, before it writes: the resources and the cost.

The stack's config with the new sizes is planned beside the current one; the plan diff names
every resource the new setting touches (a section's size applies to each instance in it)
and the cost comparison prices the change in the stack's region.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from infra.checks.rightsize import SectionChange
from infra.project import PROJECT_NAME


@dataclass(frozen=True)
class Proposal:
    config: dict[str, Any]  # the stack config with the new sizes
    changes: list[SectionChange]  # the sections that move
    resources: list[str]  # every resource the new sizes update or replace, by name
    replaced: list[str]  # of those, the ones replaced
    monthly_before: float
    monthly_after: float
    currency: str

    @property
    def monthly_change(self) -> float:
        return self.monthly_after - self.monthly_before

    def to_dict(self) -> dict[str, Any]:
        return {
            "changes": [c.to_dict() for c in self.changes],
            "resources": self.resources,
            "replaced": self.replaced,
            "monthly_cost": {
                "currency": self.currency,
                "before": round(self.monthly_before, 2),
                "after": round(self.monthly_after, 2),
                "change": round(self.monthly_change, 2),
            },
        }


def resized_config(config: dict[str, Any], changes: list[SectionChange]) -> dict[str, Any]:
    """``config`` with each moving section's size set (the stack file's other keys kept)."""
    resized = dict(config)
    for change in changes:
        if change.suggested is None:
            continue
        key = f"{PROJECT_NAME}:{change.section}"
        current = resized.get(key) or {}
        if isinstance(current, str):  # the engine's string form of an object value
            current = yaml.safe_load(current) or {}
        resized[key] = {**current, change.field: change.suggested}
    return resized


def propose(stack: str, config: dict[str, Any], decided: list[SectionChange]) -> Proposal:
    """Plan, diff and price the stack with the sizes ``decided`` suggests."""
    from infra.cost.estimate import estimate
    from infra.cost.tables import load_prices, load_usage
    from infra.diff.compute import diff_plans
    from infra.plan.build import cached_plan
    from infra.settings import settings_from_config

    moving = [c for c in decided if c.suggested is not None]
    new_config = resized_config(config, moving)
    before = cached_plan(settings_from_config(stack, config))
    after = cached_plan(settings_from_config(stack, new_config))
    diff = diff_plans(before, after)
    prices = load_prices()  # refuses (BadInputError) a region the table does not price
    cost_before = estimate(before, prices, load_usage(before.phase))
    cost_after = estimate(after, prices, load_usage(after.phase))
    return Proposal(
        config=new_config,
        changes=moving,
        resources=sorted(c.name for c in diff.changed + diff.added + diff.removed),
        replaced=sorted(c.name for c in diff.replaced),
        monthly_before=cost_before.total,
        monthly_after=cost_after.total,
        currency=cost_after.currency,
    )
