"""Cost of one plan against another: per-resource deltas matched across stacks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from infra.cost.model import CostEstimate
from infra.plan.match import resource_key


@dataclass(frozen=True)
class CostChange:
    key: str
    type: str
    name: str
    before: float
    after: float

    @property
    def delta(self) -> float:
        return self.after - self.before

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "type": self.type,
            "name": self.name,
            "before": round(self.before, 2),
            "after": round(self.after, 2),
            "delta": round(self.delta, 2),
        }


@dataclass(frozen=True)
class CostComparison:
    before: CostEstimate
    after: CostEstimate
    changes: list[CostChange]

    @property
    def delta(self) -> float:
        return self.after.total - self.before.total

    def to_dict(self) -> dict[str, Any]:
        return {
            "currency": self.after.currency,
            "before": {"stack": self.before.stack, "total": round(self.before.total, 2)},
            "after": {"stack": self.after.stack, "total": round(self.after.total, 2)},
            "delta": round(self.delta, 2),
            "changes": [change.to_dict() for change in self.changes],
            "unpriced": [item.to_dict() for item in self.after.unpriced],
        }


def compare(before: CostEstimate, after: CostEstimate) -> CostComparison:
    old = {resource_key(line.urn): line for line in before.resources}
    new = {resource_key(line.urn): line for line in after.resources}
    changes = []
    for key in sorted(old.keys() | new.keys()):
        line = new.get(key) or old[key]
        was = old[key].monthly if key in old else 0.0
        now = new[key].monthly if key in new else 0.0
        if round(was, 2) != round(now, 2):
            changes.append(CostChange(key, line.type, line.name, was, now))
    changes.sort(key=lambda change: -abs(change.delta))
    return CostComparison(before, after, changes)
