"""Options shared by several commands, defined once."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer


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
PlanFileOption = Annotated[
    Path | None, typer.Option("--plan", help="A plan file from: gm-infra plan --format json.")
]
