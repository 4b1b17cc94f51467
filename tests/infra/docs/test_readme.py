"""The README's generated references: up to date, complete, and stable across checkouts."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import cli
from infra.docs.readme import (
    APP_README,
    README,
    REPO_ROOT,
    WRITE_COMMAND,
    Block,
    blocks,
    stale,
    write,
)
from infra.errors import BadInputError


@pytest.fixture(scope="module")
def generated() -> list[Block]:
    return blocks(typer.main.get_command(cli.app))


def body(generated: list[Block], name: str) -> str:
    return next(b.body for b in generated if b.name == name)


def test_the_readme_references_match_the_code(generated: list[Block]) -> None:
    out_of_date = [f"{b.path.relative_to(REPO_ROOT)}: {b.name}" for b in stale(generated)]
    assert not out_of_date, (
        f"{'; '.join(out_of_date)} no longer match the code: run {WRITE_COMMAND}"
    )


def test_every_command_and_option_is_in_the_cli_reference(generated: list[Block]) -> None:
    reference = body(generated, "CLI REFERENCE")
    for path in ("plan", "diff", "phase", "local start", "render nginx", "app reshard", "docs"):
        assert f"### `gm-infra {path}`" in reference
    assert "| `--validate`, `--no-validate` | flag | `--validate` |" in reference
    assert "| `--format`, `-f` | table \\| json \\| markdown | `table` |" in reference
    assert "| `TARGET` | integer |  | The phase to promote to, 1 to 4 (or --phase). |" in reference


def test_defaults_that_are_paths_are_relative_to_the_repository(generated: list[Block]) -> None:
    reference = body(generated, "CLI REFERENCE")
    assert str(REPO_ROOT) not in reference
    assert "`infra/cost/prices.yaml`" in reference


def test_the_settings_reference_shows_types_defaults_per_phase_and_constraints(
    generated: list[Block],
) -> None:
    reference = body(generated, "SETTINGS REFERENCE")
    rows = {line.split(" | ")[0]: line for line in reference.splitlines()}
    assert rows["| `api.minSize`"] == (
        "| `api.minSize` | integer | `1` / `2` / `2` / `2` | a size from 0 to 500 "
        "| Fewest instances the group keeps. |"
    )
    assert "`-` / `1` / `2` / `2`" in rows["| `workers.minSize`"]  # no workers in phase 1
    assert "0 to 15 read replicas (the RDS limit)" in rows["| `database.readReplicas`"]
    assert "(pattern `ami-[0-9a-f]{8,17}`)" in rows["| `amiId`"]
    assert "text, optional | `unset`" in rows["| `domain`"]
    assert "| `name`" not in rows and "| `capacity`" not in rows  # the profile's own keys


def test_write_rewrites_only_the_stale_blocks(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(
        "intro\n<!-- BEGIN A -->\nold\n<!-- END A -->\n<!-- BEGIN B -->\n<!-- END B -->\n"
    )
    wanted = [Block(readme, "A", "new a"), Block(readme, "B", "b")]
    assert [b.name for b in write(wanted)] == ["A", "B"]
    text = readme.read_text()
    assert text.startswith("intro\n<!-- BEGIN A -->\n") and "new a\n<!-- END A -->" in text
    assert "old" not in text
    assert write(wanted) == []


def test_missing_markers_are_a_one_line_error(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("no markers here\n")
    with pytest.raises(BadInputError, match="BEGIN A"):
        stale([Block(readme, "A", "x")])


def test_the_app_environment_is_in_the_app_readme(generated: list[Block]) -> None:
    block = next(b for b in generated if b.name == "ENVIRONMENT REFERENCE")
    assert block.path == APP_README
    assert "| `METRICS_PHASE` | integer | `1` | ≥ 1, ≤ 4 | dimension Phase |" in block.body


def test_the_docs_command_checks_by_default() -> None:
    result = CliRunner().invoke(cli.app, ["docs", "--json"])
    assert result.exit_code == 0, result.output
    assert '"blocks": []' in result.output
    assert README.read_text().count("<!-- BEGIN CLI REFERENCE -->") == 1
