"""The plan-diff gate of a promotion: where ``gm-infra phase`` stops on a stateful replacement.

The whole rule, in the order it is applied:

1. Which resources hold data: the type catalogue's ``stateful`` flag
   (``infra/plan/types/entries.py``: RDS instances, replication groups, buckets...), plus any
   resource the program marks ``protect``.
2. What a change does to them: ``infra/diff/compute.diff_plans`` matches resources across the
   two plans (``infra/plan/match.resource_key``) and marks a change "replace" when an input
   in the type's ``replace_on`` changes, or "remove" when the resource leaves the plan (also
   when its URN moves without an alias: Pulumi deletes and recreates it).
3. Whether the promotion may go on: ``blocking`` below. A replaced stateful or protected
   resource always stops it; a removed one stops it unless ``--allow-downgrade`` was given,
   and then the engine keeps the resource (``retained``).

A second guard sits in the local engine (``infra/engines/local.py``, ``_change``): a protected
resource that its handler cannot update in place is refused at apply time, and one that
left the plan is retained, never deleted (``_remove``). It is there because the engine
compares against what it applied (resolved inputs in its state), not against a plan, and
because a rollback after a failed verify (``runner.py``) redeploys the previous phase
without passing this gate again.
"""

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
