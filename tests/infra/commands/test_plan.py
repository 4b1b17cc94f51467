"""gm-infra plan through typer's CliRunner, as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app

runner = CliRunner()


@pytest.mark.parametrize("phase", [1, 4])
def test_plan_json_is_the_plan(phase: int) -> None:
    result = runner.invoke(app, ["plan", "--phase", str(phase), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["phase"] == phase and data["project"] == "green-matchers"
    assert {"urn", "type", "name", "custom", "parent", "inputs", "dependencies", "protect"} <= set(
        data["resources"][0]
    )


def test_plan_table_and_markdown() -> None:
    table = runner.invoke(app, ["plan", "--stack", "phase2"])
    assert table.exit_code == 0, table.output
    assert (
        "phase 2 (Horizontal scaling)" in table.stdout
        and "aws:rds/instance:Instance" in table.stdout
    )
    markdown = runner.invoke(app, ["plan", "--phase", "3", "--format", "markdown"])
    assert markdown.exit_code == 0
    assert markdown.stdout.startswith("## Plan of stack `phase3`: phase 3 (Database scaling)")
    assert "| `aws:rds/proxy:Proxy` | 3 |" in markdown.stdout


def test_plan_writes_a_file(tmp_path: Path) -> None:
    out = tmp_path / "p.json"
    result = runner.invoke(app, ["plan", "--phase", "1", "--json", "--out", str(out)])
    assert result.exit_code == 0
    assert json.loads(out.read_text())["stack"] == "phase1"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["plan", "--phase", "7"], "phases run from 1 to 4"),
        (["plan"], "exactly one of --phase N or --stack S"),
        (["plan", "--phase", "1", "--stack", "phase1"], "exactly one of --phase N or --stack S"),
        (["plan", "--stack", "nosuch"], "stack 'nosuch' has no config file"),
        (["plan", "--stack", "../etc"], "not allowed"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert result.stderr.splitlines()[0].startswith("error: ")


def test_bad_stack_file_declares_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import infra.program

    calls: list[object] = []
    monkeypatch.setattr(infra.program, "build", lambda *a, **k: calls.append(a))
    from infra.errors import SettingsError
    from infra.stack_files import settings_for_stack

    (tmp_path / "Pulumi.bad.yaml").write_text(
        "config:\n  aws:region: us-east-1\n  green-matchers:phase: 2\n"
        "  green-matchers:api:\n    minSize: 9\n    maxSize: 3\n"
    )
    with pytest.raises(SettingsError) as caught:
        settings_for_stack("bad", tmp_path)
    assert caught.value.key == "green-matchers:api.minSize"
    assert calls == []
