"""Where a plan comes from: a phase, a stack, a plan file (or, in gitref.py, a git ref).

Every command that reads a plan loads it here; ``plan.build`` (which imports Pulumi) is
imported only when a plan is recorded, so reading a plan file stays fast."""

from __future__ import annotations

from pathlib import Path

from infra.errors import BadInputError
from infra.plan.model import Plan

PHASES = (1, 2, 3, 4)
SOURCE_HINT = "give exactly one of --phase N, --stack S or --plan FILE"


def plan_for_phase(phase: int) -> Plan:
    if phase not in PHASES:
        raise BadInputError(f"--phase {phase} is not a phase", "phases are 1, 2, 3 and 4")
    from infra.plan import build  # imported late: it pulls in Pulumi

    return build.plan_for_phase(phase)


def plan_for_stack(stack: str) -> Plan:
    from infra.plan import build

    return build.plan_for_stack(stack)


def load_plan(phase: int | None = None, stack: str | None = None, plan: Path | None = None) -> Plan:
    """The one plan the options name; a bad combination is a BadInputError."""
    given = [value for value in (phase, stack, plan) if value is not None]
    if len(given) != 1:
        raise BadInputError("name one plan", SOURCE_HINT)
    if phase is not None:
        return plan_for_phase(phase)
    if stack is not None:
        return plan_for_stack(stack)
    assert plan is not None
    return Plan.load(plan)


def plan_for_target(phase: int | None, stack: str | None) -> Plan:
    """The offline plan of ``--phase N`` or ``--stack S`` (exactly one): ``gm-infra plan``,
    which records plans and so takes no plan file."""
    from infra.plan import build

    if (phase is None) == (stack is None):
        raise BadInputError(
            "give exactly one of --phase N or --stack S",
            hint="e.g. gm-infra plan --phase 2, or gm-infra plan --stack phase2",
        )
    return build.plan_for_phase(phase) if phase is not None else build.plan_for_stack(str(stack))
