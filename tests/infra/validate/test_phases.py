"""Phases 1-4 pass validate with zero unwaived findings; every waiver earns its place."""

from __future__ import annotations

import pytest

from infra.validate.capacity import RPS_RULE
from infra.validate.model import ValidationResult
from infra.validate.waivers import DEFAULT_FILE, load_waivers

from .conftest import PHASES


@pytest.mark.parametrize("phase", PHASES)
def test_phase_validates_clean(phase: int, phase_results: dict[int, ValidationResult]) -> None:
    result = phase_results[phase]
    assert result.passed
    unwaived = [(f.tool, f.rule, f.name, f.message[:80]) for f in result.unwaived()]
    # only the capacity judge's req/s verdict, which is information (README: Validation)
    assert [u for u in unwaived if u[1] != RPS_RULE] == []
    assert [u[1] for u in unwaived] == [RPS_RULE]


@pytest.mark.parametrize("phase", PHASES)
def test_every_judge_ran_and_findings_map_to_plan_urns(
    phase: int, phase_results: dict[int, ValidationResult], phase_plans
) -> None:
    result = phase_results[phase]
    urns = {r.urn for r in phase_plans[phase].resources}
    tools = {f.tool for f in result.findings}
    # every judge finds something to say, then waivers apply
    assert {"cfn-lint", "checkov", "parliament", "cloudsplaining"} <= tools
    for finding in result.findings:
        assert finding.urn in urns, finding
        # every finding is waived with a reason, but the capacity judge's information
        assert finding.reason or finding.rule == RPS_RULE, f"waived without a reason: {finding}"


def test_every_waiver_is_used_by_some_phase(phase_results: dict[int, ValidationResult]) -> None:
    reasons_used = {f.reason for r in phase_results.values() for f in r.findings if f.waived}
    unused = [w.describe() for w in load_waivers(DEFAULT_FILE) if w.reason not in reasons_used]
    assert unused == []


def test_phase_4_template_passes_cfn_lint_with_only_the_waivers(
    phase_results: dict[int, ValidationResult],
) -> None:
    cfn_lint = [f for f in phase_results[4].findings if f.tool == "cfn-lint"]
    assert cfn_lint and all(f.waived for f in cfn_lint)
    # Only the documented ones: the major engine version, the resolved zones, and the
    # informational DeletionPolicy on the alarm key and the flow logs (waivers.yaml).
    assert {f.rule for f in cfn_lint} == {"E3691", "W3010", "I3011"}
