"""`gm-infra validate --stack S --live` adds the quota preflight to the offline judges."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from typer.testing import CliRunner

from infra.commands import validate
from infra.emulator.server import Emulator
from tests.infra.factories import aws


def _validate(*args: str) -> Any:
    from cli import GmGroup

    app = typer.Typer(cls=GmGroup, pretty_exceptions_enable=False)
    validate.register(app)
    app.command("noop", hidden=True)(lambda: None)  # a group, so "validate" is a subcommand
    return CliRunner().invoke(app, ["validate", *args])


def _stack_file(emu_home: Path, stack: str, phase: int) -> None:
    stacks = emu_home / "stacks"
    stacks.mkdir(parents=True, exist_ok=True)
    (stacks / f"Pulumi.{stack}.yaml").write_text(
        f"config:\n  aws:region: us-east-1\n  green-matchers:phase: {phase}\n"
    )


def test_live_names_a_quota_shortfall(emu: Emulator, tmp_path: Path) -> None:
    _stack_file(tmp_path, "live", 2)
    ec2 = aws(emu, "ec2")
    for _ in range(4):  # held by something else: phase 2's two NAT addresses do not fit in 5
        ec2.allocate_address(Domain="vpc")
    result = _validate(
        "--stack", "live", "--live", "--engine", "local", "--judges", "gm-limits", "--json"
    )
    assert result.exit_code == 1, result.output
    findings = json.loads(result.stdout)["findings"]
    quotas = [f for f in findings if f["tool"] == "quotas"]
    eips = [f for f in quotas if f["rule"] == "L-0263D0A3"]
    assert eips and eips[0]["severity"] == "error", quotas
    assert "need 6 addresses" in eips[0]["message"] and "limit 5" in eips[0]["message"]
    assert all(f["severity"] == "info" for f in quotas if f["rule"] != "L-0263D0A3")
    assert "Traceback" not in result.output


def test_live_passes_when_the_account_has_room(emu: Emulator, tmp_path: Path) -> None:
    _stack_file(tmp_path, "roomy", 1)
    result = _validate(
        "--stack", "roomy", "--live", "--engine", "local", "--judges", "gm-limits", "--json"
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["passed"] is True
    assert {f["rule"] for f in report["findings"] if f["tool"] == "quotas"} >= {
        "L-0263D0A3",
        "L-F678F1CE",
        "L-1216C47A",
    }


def test_live_needs_a_stack() -> None:
    result = _validate("--phase", "2", "--live")
    assert result.exit_code == 2
    assert "--live needs --stack" in result.stderr
