"""A judge that did not run is said so: a pass is only the pass of the judges that ran."""

from __future__ import annotations

import json

from infra.plan.model import Plan
from infra.validate.model import ValidationResult
from infra.validate.report import validate_markdown, validate_text
from infra.validate.run import JUDGES, validate_plans


def test_validation_without_checkov_names_it_in_every_verdict(
    phase_plans: dict[int, Plan],
) -> None:
    judges = [judge for judge in JUDGES if judge != "checkov"]
    (result,) = validate_plans([(phase_plans[1], "us-east-1")], judges=judges)
    assert result.passed and result.skipped == ["checkov"]
    text = validate_text(result)
    assert text.splitlines()[0].endswith(": passed without checkov")
    assert any(line.split() == ["checkov", "not", "run"] for line in text.splitlines())
    markdown = validate_markdown(result)
    assert markdown.startswith("✅ **Validation passed without checkov**")
    assert "not run: checkov" in markdown
    assert json.loads(json.dumps(result.to_dict()))["skipped"] == ["checkov"]


def test_a_pass_of_one_judge_names_the_four_that_did_not_run(
    phase_plans: dict[int, Plan],
) -> None:
    (result,) = validate_plans([(phase_plans[1], "us-east-1")], judges=["gm-limits"])
    assert result.skipped == [j for j in JUDGES if j != "gm-limits"]
    assert "without cfn-lint, checkov, parliament, cloudsplaining" in validate_text(result)


def test_with_every_judge_nothing_is_skipped(phase_results: dict[int, ValidationResult]) -> None:
    assert phase_results[1].skipped == []
    assert validate_text(phase_results[1]).splitlines()[0].endswith(": passed")
