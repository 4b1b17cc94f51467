"""gm-infra preview's bad input: one line, exit 2, before anything is planned."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cli import app


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--phases", "1,5"], "--phases item '5' is not a phase"),
        (["--phases", "1", "--stacks", "prod"], "give --phases or --stacks, not both"),
        (["--base-ref", "no-such-ref-anywhere"], "git ref 'no-such-ref-anywhere' does not exist"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(runner: CliRunner, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["preview", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
