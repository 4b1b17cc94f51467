"""Plans of the four phases, recorded once per test session (each takes about a second)."""

from __future__ import annotations

import pytest

from infra.plan.build import plan_for_phase
from infra.plan.model import Plan


@pytest.fixture(scope="session")
def plans() -> dict[int, Plan]:
    return {phase: plan_for_phase(phase) for phase in (1, 2, 3, 4)}
