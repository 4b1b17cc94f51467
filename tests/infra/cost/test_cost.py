"""Cost: a hand-computed small plan, unpriced types listed, phases growing, the CLI shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from infra.cost.estimate import estimate
from infra.cost.pricers import PRICERS
from infra.cost.tables import Usage, load_prices, load_usage
from infra.plan.model import Plan
from infra.plan.types import of_cost
from tests.infra.factories import compliant, plan_of, res, with_inputs

PRICES = load_prices()
NO_USAGE = Usage({})


def test_price_table_is_versioned_and_dated() -> None:
    assert PRICES.version >= 1
    assert PRICES.read_on.startswith("20")
    assert PRICES.hours == 730
    assert PRICES.data["region"] == "us-east-1"
    assert PRICES.data["alb_lcu"]["new_connections_per_second"] == 25  # not 100


def test_small_plan_matches_a_hand_computation() -> None:
    r = compliant()
    db = with_inputs(r["db"], multiAz=True, allocatedStorage=100, instanceClass="db.t3.medium")
    plan = plan_of(r["lt"], r["asg"], db, r["cache"], r["alb"], r["nat"], r["vpc"], r["alb_sg"])
    usage = Usage(
        {"alb": {"new_connections_per_second": 50}, "nat": {"gb_processed_per_month": 10}}
    )
    result = estimate(plan, PRICES, usage)
    asg = 2 * 0.0416 * 730  # two t3.medium, no EBS mapping in the crafted template
    rds = 0.068 * 2 * 730 + 100 * 0.115 * 2  # Multi-AZ doubles instance and storage
    redis = 1 * 0.034 * 730
    alb = 0.0225 * 730 + (50 / 25) * 0.008 * 730  # 2 LCU from new connections at 25/s
    nat = 0.045 * 730 + 10 * 0.045
    assert result.total == pytest.approx(asg + rds + redis + alb + nat, abs=0.01)
    assert result.usage == pytest.approx(2 * 0.008 * 730 + 10 * 0.045, abs=0.01)
    assert result.unpriced == [] and result.free == 3  # launch template, VPC, security group


def test_unknown_type_is_unpriced_not_zero() -> None:
    mystery = res("aws:opensearch/domain:Domain", "gm-search", {"instanceType": "r6g.large"})
    odd_db = with_inputs(compliant()["db"], instanceClass="db.x2g.16xlarge")
    result = estimate(plan_of(mystery, odd_db), PRICES, NO_USAGE)
    assert result.total == 0
    assert {
        (u.name, "no price" in u.reason or "no pricer" in u.reason) for u in result.unpriced
    } == {("gm-search", True), ("gm-db", True)}


def test_pricers_are_exactly_the_catalogue_priced_types() -> None:
    assert set(PRICERS) == of_cost("priced")
    assert not of_cost("free") & PRICERS.keys()


def test_usage_file_overrides_only_its_keys(tmp_path: Path) -> None:
    path = tmp_path / "usage.yaml"
    path.write_text("alb: {new_connections_per_second: 999}\n")
    usage = load_usage(1, path)
    assert usage.get("alb", "new_connections_per_second") == 999
    assert usage.get("cloudfront", "gb_out_per_month") == load_usage(1).get(
        "cloudfront", "gb_out_per_month"
    )


def test_cost_json_shape_through_the_cli(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text(plan_of(*compliant().values()).to_json())
    result = runner.invoke(app, ["cost", "--plan", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["currency"] == "USD"
    assert data["total"] == pytest.approx(sum(r["monthly"] for r in data["resources"]), abs=0.05)
    assert {"urn", "type", "monthly"} <= data["resources"][0].keys()
    assert data["unpriced"] == []


def test_bad_usage_file_is_bad_input(runner: CliRunner, tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(plan_of(*compliant().values()).to_json())
    usage = tmp_path / "usage.yaml"
    usage.write_text("alb: {new_connections_per_second: -3}\n")
    result = runner.invoke(app, ["cost", "--plan", str(plan), "--usage", str(usage)])
    assert result.exit_code == 2
    assert "non-negative" in result.stderr


def test_phases_cost_more_as_they_grow(phase_plans: dict[int, Plan]) -> None:
    totals = []
    for phase, plan in sorted(phase_plans.items()):
        result = estimate(plan, PRICES, load_usage(phase))
        assert result.unpriced == [], f"phase {phase}: {result.unpriced}"
        totals.append(result.total)
    assert totals == sorted(totals) and len(set(totals)) == 4, totals
    assert 100 < totals[0] < 1000 and totals[3] < 20000, totals


def test_phases_cost_more_even_at_equal_usage(phase_plans: dict[int, Plan]) -> None:
    same = load_usage(1)
    totals = [estimate(phase_plans[p], PRICES, same).fixed for p in (1, 2, 3, 4)]
    assert totals == sorted(totals), totals


def test_cost_diff_between_phases(
    runner: CliRunner, phase_plans: dict[int, Plan], tmp_path: Path
) -> None:
    for phase in (1, 2):
        (tmp_path / f"p{phase}.json").write_text(phase_plans[phase].to_json())
    result = runner.invoke(
        app,
        [
            "cost",
            "--plan",
            str(tmp_path / "p2.json"),
            "--diff-plan",
            str(tmp_path / "p1.json"),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["delta"] == pytest.approx(
        data["after"]["total"] - data["before"]["total"], abs=0.01
    )
    assert data["delta"] > 0
    assert any(change["name"] == "gm-db-replica-1" for change in data["changes"])
