"""What a policy rule is and what evaluating the rules produces."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from infra.plan.model import PlannedResource
from infra.policy.context import PlanIndex

# A check returns None when the resource complies, otherwise the violation message.
Check = Callable[[PlannedResource, PlanIndex], str | None]


@dataclass(frozen=True)
class Rule:
    """One security rule, with its checkov and cdk-nag counterparts where they exist."""

    id: str
    title: str
    types: tuple[str, ...]
    check: Check
    checkov: tuple[str, ...] = ()
    cdk_nag: tuple[str, ...] = ()
    # Why neither checkov nor cdk-nag has a counterpart (a rule must name one or say this).
    no_counterpart: str = ""

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "types": list(self.types),
            "checkov": list(self.checkov),
            "cdk_nag": list(self.cdk_nag),
            **({"no_counterpart": self.no_counterpart} if self.no_counterpart else {}),
        }


@dataclass(frozen=True)
class Violation:
    rule: str
    urn: str
    message: str
    type: str = ""
    name: str = ""

    def to_dict(self) -> dict[str, str]:
        return {
            "rule": self.rule,
            "urn": self.urn,
            "message": self.message,
            "type": self.type,
            "name": self.name,
        }


@dataclass(frozen=True)
class Suppressed:
    rule: str
    urn: str
    message: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "urn": self.urn, "message": self.message, "reason": self.reason}


@dataclass(frozen=True)
class PolicyResult:
    """Violations, suppressed violations and the number of (rule, resource) checks passed."""

    stack: str
    violations: list[Violation]
    suppressed: list[Suppressed] = field(default_factory=list)
    passed: int = 0

    @property
    def ok(self) -> bool:
        return not self.violations

    def to_dict(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "ok": self.ok,
            "violations": [v.to_dict() for v in self.violations],
            "suppressed": [s.to_dict() for s in self.suppressed],
            "passed": self.passed,
        }
