"""gm-infra phase runs policy and validation before preflight; an invalid plan is refused."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from infra.emulator.server import Emulator
from infra.validate.checkov_judge import find_checkov
from tests.infra.factories import aws


@pytest.fixture(autouse=True)
def _checkov() -> None:
    if find_checkov() is None and os.environ.get("GM_REQUIRE_SERVICES") != "1":
        pytest.skip("checkov is not installed (scripts/setup.sh makes .venv-checkov)")


def test_promotion_reports_policy_and_validation(emu: Emulator, run: Any) -> None:
    result = run("phase", "1", "--stack", "v", "--engine", "local", "--yes", "--json")
    assert result.exit_code == 0, result.output
    outcome = json.loads(result.stdout)
    steps = {s["step"]: s for s in outcome["steps"]}
    assert steps["validate"]["status"] == "ok"
    # the diff's "N to add" and the deploy's "N create" count the same cloud resources
    added = len(outcome["diff"]["added"])
    assert added > 50 and outcome["deploy"]["create"] == added
    assert f"{added} to add" in steps["diff"]["detail"]
    assert f"{added} create" in steps["deploy"]["detail"]
    for judge in ("policy", "cfn-lint", "checkov", "gm-limits"):
        assert judge in result.stderr  # the check table, beside each other
    assert "Traceback" not in result.output  # checkov offline stays quiet


def test_an_invalid_plan_is_refused_before_anything_is_created(
    emu: Emulator, run: Any, tmp_path: Path
) -> None:
    stacks = Path(os.environ["GM_INFRA_STACKS_DIR"])
    stacks.mkdir(parents=True, exist_ok=True)
    (stacks / "Pulumi.bad.yaml").write_text(
        "config:\n  aws:region: us-east-1\n  green-matchers:phase: 1\n"
        "  green-matchers:database: {instanceClass: db.r6g.48xlarge}\n"
    )
    result = run("phase", "1", "--stack", "bad", "--engine", "local", "--yes")
    assert result.exit_code == 1, result.output
    assert "promotion refused" in result.output
    assert "E3025" in result.output and "gm-db" in result.output
    assert aws(emu, "ec2").describe_vpcs()["Vpcs"] == [] or all(
        v.get("IsDefault") for v in aws(emu, "ec2").describe_vpcs()["Vpcs"]
    )
