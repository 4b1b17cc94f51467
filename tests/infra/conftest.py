"""Plans of the four phases, recorded once per test session (each takes about a second)."""

from __future__ import annotations

import pytest

from infra.plan.build import record_plan
from infra.plan.model import Plan
from infra.stack_files import settings_for_phase


@pytest.fixture(scope="session")
def plans() -> dict[int, Plan]:
    return {phase: record_plan(settings_for_phase(phase)) for phase in (1, 2, 3, 4)}
