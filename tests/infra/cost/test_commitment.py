"""gm-infra cost --commitment: the steady part at Savings Plans / reserved rates, per term."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from infra.cost.commitment import commitment_estimate
from infra.cost.estimate import estimate
from infra.cost.tables import Usage, load_prices
from infra.plan.model import Plan
from tests.infra.factories import compliant, plan_of, with_inputs

PRICES = load_prices()
RATES = PRICES.data["commitments"]


def test_every_commitment_rate_has_a_product_and_a_source() -> None:
    assert RATES["read_on"].startswith("20")
    for service in ("ec2", "rds", "elasticache"):
        entry = RATES[service]
        assert entry["product"] and len(entry["source"]) > 40
        assert 0 < entry["1yr"] < entry["3yr"] < 0.75  # longer terms save more; never > 72%


@pytest.mark.parametrize("term", ["none", "1yr", "3yr"])
def test_hand_computed_saving_per_term(term: str) -> None:
    r = compliant()  # two t3.medium (minSize 2), a db.t3.medium, one cache.t3.small node
    db = with_inputs(r["db"], multiAz=True, instanceClass="db.t3.medium")
    asg = with_inputs(r["asg"], minSize=2)
    plan = plan_of(r["lt"], asg, db, r["cache"], r["alb"], r["vpc"], r["alb_sg"])
    base = estimate(plan, PRICES, Usage({}))
    result = commitment_estimate(plan, PRICES, base, term)
    off = {"none": (0, 0, 0)}.get(term) or tuple(
        RATES[s][term] for s in ("ec2", "rds", "elasticache")
    )
    ec2 = 2 * 0.0416 * 730
    rds = 0.068 * 2 * 730  # Multi-AZ: instance-hours doubled; storage is not discounted
    redis = 0.034 * 730
    expected = ec2 * off[0] + rds * off[1] + redis * off[2]
    assert result.saving == pytest.approx(expected, abs=0.01)
    assert result.total == pytest.approx(base.total - expected, abs=0.01)
    assert {line.service for line in result.lines} == {"ec2", "rds", "elasticache"}


def test_spot_capacity_is_not_committed(phase_plans: dict[int, Plan]) -> None:
    result = commitment_estimate(phase_plans[2], PRICES, estimate(phase_plans[2], PRICES,
                                 Usage({})), "1yr")  # fmt: skip
    worker = next(line for line in result.lines if line.name == "gm-worker-asg")
    assert worker.detail.startswith("1 x ")  # the on-demand base only, not the spot share


@pytest.mark.parametrize("term", ["1yr", "3yr"])
def test_cli_shows_the_saving_for_phase_2(runner: CliRunner, term: str) -> None:
    result = runner.invoke(app, ["cost", "--phase", "2", "--commitment", term, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    committed = data["commitment"]
    assert committed["term"] == term and committed["saving"] > 0
    assert committed["total"] == pytest.approx(data["total"] - committed["saving"], abs=0.05)
    assert committed["saving"] == pytest.approx(
        sum(line["saving"] for line in committed["steady"]), abs=0.05
    )


def test_longer_terms_save_more(runner: CliRunner) -> None:
    savings = []
    for term in ("1yr", "3yr"):
        out = runner.invoke(app, ["cost", "--phase", "2", "--commitment", term, "--json"])
        savings.append(json.loads(out.stdout)["commitment"]["saving"])
    assert savings[0] < savings[1]


def test_bad_commitment_is_bad_input(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["cost", "--phase", "1", "--commitment", "5yr"])
    assert result.exit_code == 2
    assert "--commitment '5yr' is not one of none, 1yr, 3yr" in result.output
    both = runner.invoke(app, ["cost", "--phase", "2", "--diff-phase", "1", "--commitment", "1yr"])
    assert both.exit_code == 2
