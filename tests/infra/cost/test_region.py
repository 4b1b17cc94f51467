"""Cost is priced in the plan's own region, or refused naming it: a stack in eu-west-3 is
never priced at us-east-1 rates without a word."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cli import app
from infra.cost.estimate import estimate
from infra.cost.tables import PRICES_FILE, load_prices, load_usage
from infra.errors import BadInputError
from infra.plan.build import record_plan
from infra.plan.model import Plan
from infra.plan.region import plan_region
from infra.settings import settings_from_config


@pytest.fixture(scope="module")
def paris() -> Plan:
    settings = settings_from_config("paris", {"aws:region": "eu-west-3", "green-matchers:phase": 1})
    return record_plan(settings)


def test_a_plan_in_another_region_is_refused_naming_both(paris: Plan) -> None:
    assert plan_region(paris) == "eu-west-3"
    with pytest.raises(BadInputError, match=r"paris is in eu-west-3.*us-east-1 prices only"):
        estimate(paris, load_prices(), load_usage(1))


def test_a_table_for_that_region_prices_it(paris: Plan, tmp_path: Path) -> None:
    table = yaml.safe_load(PRICES_FILE.read_text())
    table["region"] = "eu-west-3"
    prices = tmp_path / "prices-eu-west-3.yaml"
    prices.write_text(yaml.safe_dump(table))
    priced = estimate(paris, load_prices(prices), load_usage(1))
    assert priced.total > 0


def test_the_cost_command_refuses_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stacks = tmp_path / "stacks"
    stacks.mkdir()
    (stacks / "Pulumi.paris.yaml").write_text(
        "config:\n  aws:region: eu-west-3\n  green-matchers:phase: 1\n"
    )
    monkeypatch.setenv("GM_INFRA_STACKS_DIR", str(stacks))
    monkeypatch.setenv("GM_INFRA_HOME", str(tmp_path / "home"))
    result = CliRunner().invoke(app, ["cost", "--stack", "paris"])
    assert result.exit_code == 2
    assert "eu-west-3" in result.output and "Traceback" not in result.output
