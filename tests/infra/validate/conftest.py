"""Validation results shared per session: cfn-lint and checkov take seconds per plan."""

from __future__ import annotations

import pytest

from infra.plan.model import Plan
from infra.validate.model import ValidationResult
from tests.system_tools import require_checkov

PHASES = (1, 2, 3, 4)
_RESULTS: dict[int, ValidationResult] = {}


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
