"""Options shared by several commands, defined once."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from infra.writable import check_out_file


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"


PhaseOption = Annotated[
    int | None, typer.Option("--phase", "-p", help="Growth phase, 1 to 4 (its bare profile).")
]
StackOption = Annotated[
    str | None, typer.Option("--stack", "-s", help="Stack name: infra/stacks/Pulumi.<stack>.yaml.")
]
FormatOption = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="table for people, json for machines.")
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Same as --format json.")]


# For commands whose output is text or one JSON object: --format table|json, and --json as
# its alias, as on the commands that also offer markdown.
class TableOrJson(StrEnum):
    table = "table"
    json = "json"


JsonOutput = Annotated[bool, typer.Option("--json", help="Same as --format json.")]
TableOrJsonFormat = Annotated[
    TableOrJson,
    typer.Option("--format", "-f", help="table (text) for people, json (one object) for machines."),
]


def wants_json(json_output: bool, output_format: TableOrJson) -> bool:
    return json_output or output_format is TableOrJson.json


PlanFileOption = Annotated[
    Path | None, typer.Option("--plan", help="A plan file from: gm-infra plan --format json.")
]


def _writable_out(value: Path | None) -> Path | None:
    """Checked while the options are read, before any work: a bad --out costs nothing."""
    return None if value is None else check_out_file(value)


def out_option(help_text: str = "Write to this file instead of stdout.") -> typer.models.OptionInfo:
    """``--out/-o``, checked at once (its folder exists and is writable)."""
    return typer.Option("--out", "-o", help=help_text, callback=_writable_out)


OutOption = Annotated[Path | None, out_option()]
