"""Run the rules over a plan: violations, suppressed findings and checks passed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from infra.plan.model import Plan
from infra.policy.context import index_plan
from infra.policy.model import PolicyResult, Rule, Suppressed, Violation
from infra.policy.rules import ALL_RULES
from infra.policy.suppressions import Suppression


def evaluate(
    plan: Plan,
    rules: Sequence[Rule] = ALL_RULES,
    suppressions: Iterable[Suppression] = (),
) -> PolicyResult:
    index = index_plan(plan)
    suppressions = list(suppressions)
    violations: list[Violation] = []
    suppressed: list[Suppressed] = []
    passed = 0
    for rule in rules:
        for resource in plan.custom_resources():
            if resource.type not in rule.types:
                continue
            message = rule.check(resource, index)
            if message is None:
                passed += 1
                continue
            waiver = next((s for s in suppressions if s.matches(rule.id, resource, message)), None)
            if waiver is not None:
                suppressed.append(Suppressed(rule.id, resource.urn, message, waiver.reason))
            else:
                violations.append(
                    Violation(rule.id, resource.urn, message, resource.type, resource.name)
                )
    return PolicyResult(plan.stack, violations, suppressed, passed)
