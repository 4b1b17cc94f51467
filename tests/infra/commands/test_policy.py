"""gm-infra policy through the CLI: exit codes, JSON shape, suppressions; real phases."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cli import app
from infra.plan.model import Plan
from infra.policy.evaluate import evaluate
from infra.policy.rules import rule_ids
from infra.policy.suppressions import DEFAULT_FILE, load_suppressions
from tests.infra.factories import compliant, compliant_plan, with_inputs


def _write(plan: Plan, tmp_path: Path) -> Path:
    path = tmp_path / "plan.json"
    path.write_text(plan.to_json())
    return path


def test_compliant_plan_passes_with_json(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["policy", "--plan", str(_write(compliant_plan(), tmp_path)), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["violations"] == [] and data["passed"] > 10


def test_violation_exits_1_and_names_rule_and_urn(runner: CliRunner, tmp_path: Path) -> None:
    db = with_inputs(compliant()["db"], publiclyAccessible=True)
    path = _write(compliant_plan(db=db), tmp_path)
    result = runner.invoke(app, ["policy", "--plan", str(path), "--json"])
    assert result.exit_code == 1
    (violation,) = json.loads(result.stdout)["violations"]
    assert violation["rule"] == "GM-RDS-2"
    assert violation["urn"].endswith("::gm-db")
    assert "publiclyAccessible" in violation["message"]
    assert "GM-RDS-2 on gm-db" in result.stderr


def test_suppression_without_reason_is_bad_input(runner: CliRunner, tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("suppressions:\n  - {rule: GM-RDS-2, resource: gm-db}\n")
    path = _write(compliant_plan(), tmp_path)
    result = runner.invoke(app, ["policy", "--plan", str(path), "--suppressions", str(waivers)])
    assert result.exit_code == 2
    assert "reason" in result.stderr


def test_no_plan_named_is_bad_input(runner: CliRunner) -> None:
    result = runner.invoke(app, ["policy"])
    assert result.exit_code == 2


def test_list_rules_json_names_counterparts(runner: CliRunner) -> None:
    result = runner.invoke(app, ["policy", "--list-rules", "--json"])
    rules = {rule["id"]: rule for rule in json.loads(result.stdout)}
    assert "CKV_AWS_16" in rules["GM-RDS-1"]["checkov"]
    assert "AwsSolutions-RDS2" in rules["GM-RDS-1"]["cdk_nag"]


def test_all_four_phases_pass_the_policy(phase_plans: dict[int, Plan]) -> None:
    waivers = load_suppressions(DEFAULT_FILE, set(rule_ids()))
    for phase, plan in phase_plans.items():
        result = evaluate(plan, suppressions=waivers)
        assert result.violations == [], f"phase {phase}: {result.violations}"
        assert result.passed > 20


def test_policy_phase_2_through_the_cli(runner: CliRunner) -> None:
    result = runner.invoke(app, ["policy", "--phase", "2", "--format", "markdown"])
    assert result.exit_code == 0, result.output
    assert "Policy passed" in result.stdout
