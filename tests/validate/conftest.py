"""Validation results shared per session: cfn-lint and checkov take seconds per plan."""

from __future__ import annotations

import copy
import os
from typing import Any

import pytest

from infra.plan.model import Plan, PlannedResource
from infra.validate.checkov_judge import find_checkov
from infra.validate.model import ValidationResult

PHASES = (1, 2, 3, 4)
_RESULTS: dict[int, ValidationResult] = {}


def require_checkov() -> None:
    """Skip when checkov's own venv is missing (fail under GM_REQUIRE_SERVICES=1)."""
    if find_checkov() is not None:
        return
    message = "checkov is not installed (scripts/setup.sh makes .venv-checkov)"
    if os.environ.get("GM_REQUIRE_SERVICES") == "1":
        pytest.fail(f"GM_REQUIRE_SERVICES=1 but {message}")
    pytest.skip(message)


@pytest.fixture(scope="session")
def phase_plans() -> dict[int, Plan]:
    from infra.plan.build import plan_for_phase

    return {phase: plan_for_phase(phase) for phase in PHASES}


@pytest.fixture(scope="session")
def phase_results(phase_plans: dict[int, Plan]) -> dict[int, ValidationResult]:
    """``validate --phase N`` for the four phases, all three judges, our waivers."""
    require_checkov()
    from infra.validate.run import validate_plans

    if not _RESULTS:
        # One batch: the four checkov processes run while cfn-lint lints.
        results = validate_plans([(phase_plans[p], "us-east-1") for p in PHASES])
        _RESULTS.update(zip(PHASES, results, strict=True))
    return _RESULTS


def mutate(plan: Plan, name: str, inputs: dict[str, Any]) -> Plan:
    """``plan`` with the named resource's inputs updated (nested dicts merged one level)."""
    resources = []
    found = False
    for resource in plan.resources:
        if resource.name == name and resource.custom:
            found = True
            merged = copy.deepcopy(resource.inputs)
            for key, value in inputs.items():
                if isinstance(value, dict) and isinstance(merged.get(key), dict):
                    merged[key] = {**merged[key], **value}
                else:
                    merged[key] = value
            resource = PlannedResource(
                resource.urn,
                resource.type,
                resource.name,
                resource.custom,
                resource.parent,
                merged,
                resource.dependencies,
                resource.protect,
            )
        resources.append(resource)
    assert found, f"no resource {name} in the plan"
    return Plan(plan.project, plan.stack, plan.phase, resources, plan.outputs)
