"""gm-infra validate through the CLI: JSON shape, table counts, stale waivers, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from infra.plan.model import Plan
from infra.validate.capacity import RPS_RULE
from tests.infra.factories import mutate

JSON_KEYS = {"tool", "rule", "urn", "name", "type", "severity", "message", "waived", "reason"}


@pytest.fixture
def plan_file(phase_plans: dict[int, Plan], tmp_path: Path) -> Path:
    path = tmp_path / "plan.json"
    path.write_text(phase_plans[1].to_json())
    return path


def judged(findings: list[dict[str, object]]) -> list[dict[str, object]]:
    """The findings less the capacity judge's req/s information, which every plan gets."""
    return [f for f in findings if f["rule"] != RPS_RULE]


def _waivers(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "waivers.yaml"
    path.write_text(text)
    return path


def test_json_is_exactly_findings_passed_and_skipped(plan_file: Path, tmp_path: Path) -> None:
    planted = mutate(Plan.load(plan_file), "gm-web-api-tg", {"name": "x" * 40})
    plan_file.write_text(planted.to_json())
    result = CliRunner().invoke(
        app, ["validate", "--plan", str(plan_file), "--judges", "gm-limits", "--json"]
    )
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert set(data) == {"ok", "findings", "passed", "skipped"} and data["passed"] is False
    assert data["skipped"] == ["cfn-lint", "checkov", "parliament", "cloudsplaining"]
    assert data["ok"] is False
    (finding,) = judged(data["findings"])
    assert set(finding) == JSON_KEYS
    assert finding["type"] == "aws:lb/targetGroup:TargetGroup" and finding["waived"] is False


def test_table_prints_per_tool_counts(plan_file: Path) -> None:
    result = CliRunner().invoke(
        app, ["validate", "--plan", str(plan_file), "--judges", "gm-limits"]
    )
    assert result.exit_code == 0, result.output
    assert "passed" in result.stdout
    assert any(line.split()[:2] == ["gm-limits", "0"] for line in result.stdout.splitlines())


def test_a_stale_waiver_is_an_error(plan_file: Path, tmp_path: Path) -> None:
    waivers = _waivers(
        tmp_path,
        "waivers:\n  - tool: gm-limits\n    rule: GM-LIMIT-ELB-NAME\n    resource: gm-web-api-tg\n"
        "    reason: once too long\n",
    )
    args = ["validate", "--plan", str(plan_file), "--judges", "gm-limits", "--waivers"]
    result = CliRunner().invoke(app, [*args, str(waivers), "--json"])
    assert result.exit_code == 1
    (finding,) = judged(json.loads(result.stdout)["findings"])
    assert finding["rule"] == "stale-waiver" and "gm-web-api-tg" in finding["message"]


def test_a_waiver_waives_with_its_reason(plan_file: Path, tmp_path: Path) -> None:
    plan_file.write_text(
        mutate(Plan.load(plan_file), "gm-web-api-tg", {"name": "y" * 33}).to_json()
    )
    waivers = _waivers(
        tmp_path,
        "waivers:\n  - tool: gm-limits\n    rule: GM-LIMIT-*\n    resource: gm-web-api-tg\n"
        "    reason: planted on purpose\n",
    )
    args = ["validate", "--plan", str(plan_file), "--judges", "gm-limits", "--waivers"]
    result = CliRunner().invoke(app, [*args, str(waivers), "--json"])
    assert result.exit_code == 0, result.output
    (finding,) = judged(json.loads(result.stdout)["findings"])
    assert finding["waived"] is True and finding["reason"] == "planted on purpose"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["validate"], "name one plan"),
        (["validate", "--phase", "1", "--stack", "phase1"], "name one plan"),
        (["validate", "--phase", "7"], "not a phase"),
        (["validate", "--plan", "/nonexistent/plan.json"], "does not exist"),
        (["validate", "--phase", "1", "--judges", "tflint"], "tflint"),
        (["export", "--plan", "/nonexistent/plan.json"], "does not exist"),
        (["export"], "name one plan"),
    ],
)
def test_bad_input_exits_2(args: list[str], needle: str) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert needle in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("waivers:\n  - tool: checkov\n    rule: CKV_AWS_1\n    resource: x\n", "lacks reason"),
        (
            "waivers:\n  - tool: tfsec\n    rule: X\n    resource: x\n    reason: r\n",
            "unknown tool",
        ),
        ("waivers: {a: 1}\n", "must be a list"),
        ("waivers: [\n", "not YAML"),
    ],
)
def test_bad_waiver_file_exits_2(plan_file: Path, tmp_path: Path, text: str, needle: str) -> None:
    args = ["validate", "--plan", str(plan_file), "--judges", "gm-limits", "--waivers"]
    result = CliRunner().invoke(app, [*args, str(_waivers(tmp_path, text))])
    assert result.exit_code == 2, result.output
    assert needle in result.output


def test_markdown_groups_waived_findings_by_waiver(plan_file: Path, tmp_path: Path) -> None:
    planted = mutate(Plan.load(plan_file), "gm-web-api-tg", {"name": "z" * 33})
    plan_file.write_text(mutate(planted, "gm-web-alb", {"name": "w" * 33}).to_json())
    waivers = _waivers(
        tmp_path,
        "waivers:\n  - tool: gm-limits\n    rule: GM-LIMIT-ELB-NAME\n    resource: gm-web-*\n"
        "    reason: planted twice\n",
    )
    args = ["validate", "--plan", str(plan_file), "--judges", "gm-limits", "--waivers"]
    result = CliRunner().invoke(app, [*args, str(waivers), "--format", "markdown"])
    assert result.exit_code == 0, result.output
    assert "Validation passed" in result.stdout and "Waived findings (2)" in result.stdout
    (row,) = [line for line in result.stdout.splitlines() if "planted twice" in line]
    assert "`gm-web-alb`, `gm-web-api-tg`" in row
