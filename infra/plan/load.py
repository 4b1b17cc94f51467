"""Where a plan comes from: a phase, a stack, a plan file (or, in gitref.py, a git ref)."""

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
