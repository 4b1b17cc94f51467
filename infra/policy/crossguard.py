"""The rules under CrossGuard: stack resources as seen by ``pulumi preview --policy-pack``
become a Plan, so the pack runs exactly the functions ``gm-infra policy`` runs.

Nothing here imports ``pulumi_policy``: only ``policypack/__main__.py`` builds the pack
(constructing a PolicyPack starts a gRPC server and blocks; FACTS.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from infra.plan.model import Plan, PlannedResource
from infra.policy.evaluate import evaluate
from infra.policy.model import Rule
from infra.policy.suppressions import Suppression

# report(message, urn) as CrossGuard's StackValidationArgs-based callback receives it
Report = Callable[[str, str | None], None]


def plan_from_stack(resources: Iterable[Any], stack: str = "preview") -> Plan:
    """CrossGuard ``PolicyResource`` objects (resource_type, props, urn, name, dependencies,
    parent) as a Plan; props are already in Pulumi wire names."""
    planned = []
    for resource in resources:
        parent = getattr(resource, "parent", None)
        planned.append(
            PlannedResource(
                urn=resource.urn,
                type=resource.resource_type,
                name=resource.name,
                custom=not resource.resource_type.startswith(("pulumi:", "green-matchers:")),
                parent=getattr(parent, "urn", None),
                inputs=dict(resource.props or {}),
                dependencies=[dep.urn for dep in getattr(resource, "dependencies", None) or []],
            )
        )
    return Plan("green-matchers", stack, 0, planned, {})


def stack_validator(rule: Rule, suppressions: list[Suppression]) -> Callable[[Any, Report], None]:
    """A CrossGuard stack validation function running one rule."""

    def validate(args: Any, report_violation: Report) -> None:
        result = evaluate(plan_from_stack(args.resources), (rule,), suppressions)
        for violation in result.violations:
            report_violation(f"{violation.name}: {violation.message}", violation.urn)

    return validate
