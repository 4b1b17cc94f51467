"""The plan-diff gate of a promotion: a stateful resource is never replaced or deleted."""

from __future__ import annotations

from infra.diff.compute import diff_plans
from infra.diff.model import PlanDiff
from infra.plan.model import Plan


def plan_diff(before: Plan | None, after: Plan) -> PlanDiff:
    """The diff from what the stack runs (None: nothing yet) to the new plan."""
    empty = Plan(project=after.project, stack=after.stack, phase=0, resources=[], outputs={})
    return diff_plans(before or empty, after)


def blocking(diff: PlanDiff, before: Plan | None, allow_downgrade: bool) -> list[str]:
    """Why this diff must stop the promotion (empty: it may go on).

    Replacing a stateful or protected resource always blocks. Removing one blocks unless
    the downgrade was asked for explicitly, and then the engine retains it (never deletes).
    """
    protected = {r.urn for r in before.resources if r.protect} if before else set()
    reasons = []
    for change in diff.replaced:
        if change.stateful or change.urn in protected:
            reasons.append(f"{change.name} would be replaced ({change.warning or 'new, empty'})")
    for change in diff.removed:
        if (change.stateful or change.urn in protected) and not allow_downgrade:
            reasons.append(f"{change.name} would be removed")
    return reasons


def retained(diff: PlanDiff, before: Plan | None) -> list[str]:
    """Protected resources that leave the plan and are kept anyway."""
    protected = {r.urn for r in before.resources if r.protect} if before else set()
    return [c.name for c in diff.removed if c.stateful or c.urn in protected]
