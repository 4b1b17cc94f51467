"""gm-infra diff names the side that is missing its plan."""

from __future__ import annotations

from typer.testing import CliRunner

from cli import app


def test_a_missing_after_side_is_named() -> None:
    result = CliRunner().invoke(app, ["diff", "--from-phase", "1"])
    assert result.exit_code == 2
    assert "name exactly one plan for the after side" in result.stderr
    assert "--to-phase" in result.stderr
