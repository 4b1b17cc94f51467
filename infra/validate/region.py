"""The region a plan is judged in: the stack's ``aws:region``, or read off the plan."""

from __future__ import annotations

from infra.plan.model import Plan
from infra.plan.region import plan_region

DEFAULT_REGION = "us-east-1"


def region_for(plan: Plan, phase: int | None, stack: str | None) -> str:
    """The stack settings' region for --phase/--stack; for a plan file, the commonest
    region in its ARNs (the mocks build every ARN in the stack's region)."""
    if phase is not None or stack is not None:
        from infra.stack_files import settings_for_phase, settings_for_stack

        settings = (
            settings_for_phase(phase) if phase is not None else settings_for_stack(str(stack))
        )
        return settings.region
    return plan_region(plan) or DEFAULT_REGION
