"""A plan with planted invalid values: validate exits 1 and names each resource."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from infra.plan.model import Plan
from tests.infra.factories import mutate

LONG_TG_NAME = "gm-web-api-target-group-for-the-phase-4x"  # 40 characters

# (resource, inputs to plant, the tool and rule that must name it)
PLANTED = [
    (
        "gm-services-lattice-sg",
        {"description": "VPC Lattice service network: HTTPS from the platform's instances"},
        {("cfn-lint", "E3031"), ("gm-limits", "GM-LIMIT-SG-TEXT")},
    ),
    ("gm-db", {"instanceClass": "db.r6g.lareg"}, {("cfn-lint", "E3025")}),
    ("gm-db-shard-1", {"backupRetentionPeriod": 40}, {("cfn-lint", "E3719")}),
    ("gm-web-api-tg", {"name": LONG_TG_NAME}, {("gm-limits", "GM-LIMIT-ELB-NAME")}),
    (
        "gm-redis",
        {"numCacheClusters": 1, "automaticFailoverEnabled": True},
        {("gm-limits", "GM-LIMIT-CACHE-FAILOVER")},
    ),
    # New examples of each class: names, characters, cross-field rules, types that exist.
    (
        "gm-network-alb-from-cloudfront",
        {"description": "HTTP from CloudFront\u2019s edge"},
        {("gm-limits", "GM-LIMIT-SG-TEXT")},
    ),
    (
        "gm-monitoring-dashboard",
        {"dashboardName": "green-matchers-team.phase4"},
        {("gm-limits", "GM-LIMIT-DASHBOARD-NAME")},
    ),
    ("gm-db-replica-1", {"identifier": "gm--phase4-replica"}, {("gm-limits", "GM-LIMIT-RDS-ID")}),
    (
        "gm-web-ai-ml-tg",
        {"healthCheck": {"timeout": 30, "interval": 30}},
        {("gm-limits", "GM-LIMIT-HEALTH-TIMING")},
    ),
    (
        "gm-db-shard-2",
        {"allocatedStorage": 100, "maxAllocatedStorage": 50},
        {("gm-limits", "GM-LIMIT-RDS-STORAGE")},
    ),
    (
        "gm-api-lt",
        {"instanceType": "t3.mediun"},
        {("gm-limits", "GM-LIMIT-INSTANCE-TYPE"), ("cfn-lint", "E3628")},
    ),
    ("gm-worker-asg", {"minSize": 5, "maxSize": 2}, {("cfn-lint", "E3706")}),
    ("gm-monitoring-alb-5xx", {"period": 45}, {("cfn-lint", "E3615")}),
]


@pytest.fixture(scope="module")
def planted_run(phase_plans: dict[int, Plan], tmp_path_factory: pytest.TempPathFactory):
    plan = phase_plans[4]
    for name, inputs, _ in PLANTED:
        plan = mutate(plan, name, inputs)
    path = tmp_path_factory.mktemp("planted") / "plan.json"
    path.write_text(plan.to_json())
    # checkov judges security settings, none of which are planted here; it is left out to
    # keep the test fast (its findings on this plan are phase 4's, all waived).
    return CliRunner().invoke(
        app,
        ["validate", "--plan", str(path), "--judges", "cfn-lint,gm-limits", "--format", "json"],
    )


def test_planted_plan_exits_1(planted_run) -> None:
    assert planted_run.exit_code == 1, planted_run.output
    assert json.loads(planted_run.stdout)["passed"] is False


@pytest.mark.parametrize(("name", "expected"), [(n, e) for n, _, e in PLANTED])
def test_each_planted_value_is_named(planted_run, name: str, expected: set) -> None:
    findings = json.loads(planted_run.stdout)["findings"]
    on_resource = {(f["tool"], f["rule"]) for f in findings if f["name"] == name}
    assert expected <= on_resource, f"{name}: {sorted(on_resource)}"
    for finding in findings:
        if finding["name"] == name and (finding["tool"], finding["rule"]) in expected:
            assert finding["urn"].endswith(f"::{name}") and finding["severity"] == "error"
            assert not finding["waived"]


def test_table_names_each_resource(phase_plans: dict[int, Plan], tmp_path: Path) -> None:
    plan = mutate(phase_plans[4], "gm-web-api-tg", {"name": LONG_TG_NAME})
    path = tmp_path / "plan.json"
    path.write_text(plan.to_json())
    result = CliRunner().invoke(app, ["validate", "--plan", str(path), "--judges", "gm-limits"])
    assert result.exit_code == 1
    assert "gm-limits" in result.stdout and "GM-LIMIT-ELB-NAME gm-web-api-tg" in result.stdout
