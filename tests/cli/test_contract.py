"""The exit-code contract over every command: bad input answers in a few lines with exit 2
and no traceback, before any long work; unexpected errors are one line (exit 3) unless
GM_INFRA_DEBUG=1; the documented codes are the ones used."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from infra.plan import load as plan_command

MISSING_DIR = "/no-such-dir-gm/out.txt"
NOT_A_DIR = "/etc/hostname/home"  # a path under a file: unusable even for root

# Every command, with an input it must refuse (exit 2) in a few lines.
BAD_INPUTS: dict[str, list[str]] = {
    "plan --out": ["plan", "--phase", "1", "--out", MISSING_DIR],
    "plan --stack": ["plan", "--stack", "no-such-stack"],
    "diff --base-ref": ["diff", "--base-ref", "no-such-ref-gm", "--phase", "1"],
    "diff --from-plan": ["diff", "--from-plan", "/no/plan.json", "--to-phase", "1"],
    "cost --prices": ["cost", "--phase", "1", "--prices", "/no/prices.yaml"],
    "cost --stack": ["cost", "--stack", "no-such-stack"],
    "policy --plan": ["policy", "--plan", "/no/plan.json"],
    "validate --plan": ["validate", "--plan", "/no/plan.json"],
    "export --out": ["export", "--phase", "1", "--out", MISSING_DIR],
    "diagram --out": ["diagram", "--phase", "1", "--out", MISSING_DIR],
    "diagram --out x.pdf": ["diagram", "--phase", "1", "--out", "x.pdf"],
    "preview --out": ["preview", "--out", MISSING_DIR],
    "preview --base-ref": ["preview", "--base-ref", "no-such-ref-gm"],
    "render nginx --out": ["render", "nginx", "--out", MISSING_DIR],
    "render userdata --out": ["render", "userdata", "--out", MISSING_DIR],
    "render scripts --out": ["render", "scripts", "--phase", "1", "--out", NOT_A_DIR],
    "render ci-role --account": ["render", "ci-role", "--repository", "a/b", "--account", "1"],
    "phase": ["phase", "7", "--stack", "x", "--yes"],
    "phase --phase": ["phase", "--phase", "7", "--stack", "x", "--yes"],
    "phase 2 --phase 3": ["phase", "2", "-p", "3", "--stack", "x", "--yes"],
    "phase without one": ["phase", "--stack", "x", "--yes"],
    "phase --stack": ["phase", "1", "--stack", "bad name!", "--yes", "--engine", "local"],
    "verify": ["verify", "--stack", "no-such-stack", "--engine", "local"],
    "rightsize": ["rightsize", "--stack", "no-such-stack", "--engine", "local"],
    "metrics": ["metrics", "--stack", "no-such-stack", "--engine", "local"],
    "local start": ["local", "start", "--port", "-5"],
    "local stop": ["local", "stop", "--bogus"],
    "local status": ["local", "status", "--bogus"],
    "rehearse": ["rehearse", "--to", "9"],
    "rehearse -p": ["rehearse", "-p", "9"],
    "unlock": ["unlock", "--stack", "bad name!", "--yes"],
    "docs": ["docs", "--bogus"],
    "app serve": ["app", "serve", "--bogus"],
    "app reshard": ["app", "reshard", "--bogus"],
    "app stack": ["app", "stack", "--phase", "9"],
    "app model prepare": ["app", "model", "prepare", "--bogus"],
}

# Commands that write working data, run with GM_INFRA_HOME under a file.
UNWRITABLE_HOME: dict[str, list[str]] = {
    "rehearse": ["rehearse"],
    "local start": ["local", "start"],
    "phase": ["phase", "1", "--stack", "x", "--engine", "local", "--yes"],
    "unlock": ["unlock", "--stack", "x", "--yes"],
}


def _few_lines(output: str) -> None:
    assert "Traceback" not in output, output
    lines = [line for line in output.splitlines() if line.strip()]
    assert 1 <= len(lines) <= 8, output  # typer's usage box takes up to 7 lines


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GM_INFRA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GM_INFRA_STACKS_DIR", str(tmp_path / "stacks"))
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens there
    return tmp_path


@pytest.mark.parametrize("args", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_input_is_exit_2_in_a_few_lines(isolated: Path, args: list[str]) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, (args, result.output)
    _few_lines(result.output)


@pytest.mark.parametrize("args", UNWRITABLE_HOME.values(), ids=UNWRITABLE_HOME.keys())
def test_an_unusable_gm_infra_home_is_exit_2_before_any_work(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    monkeypatch.setenv("GM_INFRA_HOME", NOT_A_DIR)
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    _few_lines(result.output)
    assert "GM_INFRA_HOME" in result.output and "emulator" not in result.output


def test_every_command_is_covered() -> None:
    """A new command joins the tables above (or this fails)."""
    import typer.main

    root = typer.main.get_command(app)
    names: set[str] = set()

    def walk(command: object, prefix: str) -> None:
        children = getattr(command, "commands", None)
        if not children:
            names.add(prefix)
            return
        for name, child in children.items():
            walk(child, f"{prefix} {name}".strip())

    walk(root, "")
    covered = {key.split(" --")[0] for key in BAD_INPUTS}
    assert names <= covered, sorted(names - covered)


def test_an_unexpected_error_is_one_line_exit_3_and_debug_shows_it(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("the planner divided by zero")

    monkeypatch.setattr(plan_command, "plan_for_target", broken)
    result = CliRunner().invoke(app, ["plan", "--phase", "1"])
    assert result.exit_code == 3
    assert "unexpected ZeroDivisionError: the planner divided by zero" in result.output
    assert "GM_INFRA_DEBUG=1" in result.output
    _few_lines(result.output)
    monkeypatch.setenv("GM_INFRA_DEBUG", "1")
    shown = CliRunner().invoke(app, ["plan", "--phase", "1"])
    assert isinstance(shown.exception, ZeroDivisionError)  # the traceback goes through


def test_ctrl_c_is_130_with_a_resume_hint(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(plan_command, "plan_for_target", interrupted)
    result = CliRunner().invoke(app, ["plan", "--phase", "1"])
    assert result.exit_code == 130
    assert "interrupted (Ctrl-C)" in result.output
    assert "rerun `gm-infra plan --phase 1` to resume" in result.output


def test_version_prints_the_installed_version() -> None:
    from importlib.metadata import version

    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"gm-infra {version('green-matchers-infra')}"
