"""Fixtures for the plan tools: crafted plans and, once per session, the real phase plans."""

from __future__ import annotations

import json
import os
import shutil

import pytest
from typer.testing import CliRunner

from infra.plan.model import Plan


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


_PHASE_PLANS: dict[int, Plan] = {}


def _real_plan(phase: int) -> Plan:
    if phase not in _PHASE_PLANS:
        try:
            from infra.plan.build import plan_for_phase
        except ImportError as error:  # the builder is not there yet
            pytest.skip(f"infra.plan.build is not available: {error}")
        _PHASE_PLANS[phase] = plan_for_phase(phase)
    return _PHASE_PLANS[phase]


@pytest.fixture(scope="session")
def phase_plans() -> dict[int, Plan]:
    """The four real phase plans, built once per session."""
    return {phase: _real_plan(phase) for phase in (1, 2, 3, 4)}


def require_tool(name: str) -> str:
    """Path of a tool, or skip (fail under GM_REQUIRE_SERVICES=1) when it is missing."""
    path = shutil.which(name) or _venv_tool(name)
    if path:
        return path
    if os.environ.get("GM_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{name} is required (GM_REQUIRE_SERVICES=1) but not installed")
    pytest.skip(f"{name} is not installed")


def _venv_tool(name: str) -> str | None:
    import sys
    from pathlib import Path

    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else None


def parse_json(output: str) -> dict:
    return json.loads(output)
