"""The four phase plans and their exports, once per session."""

from __future__ import annotations

import pytest

from infra.export.cloudformation import Export, export_plan
from infra.plan.model import Plan


@pytest.fixture(scope="session")
def phase_plans() -> dict[int, Plan]:
    from infra.plan.build import plan_for_phase

    return {phase: plan_for_phase(phase) for phase in (1, 2, 3, 4)}


@pytest.fixture(scope="session")
def exports(phase_plans: dict[int, Plan]) -> dict[int, Export]:
    return {phase: export_plan(plan, "us-east-1") for phase, plan in phase_plans.items()}
