"""Options shared by several commands, defined once."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from infra.errors import BadInputError
from infra.plan.model import Plan


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


def plan_from_target(phase: int | None, stack: str | None) -> Plan:
    """The offline plan of ``--phase N`` or ``--stack S`` (exactly one)."""
    from infra.plan.build import plan_for_phase, plan_for_stack

    if (phase is None) == (stack is None):
        raise BadInputError(
            "give exactly one of --phase N or --stack S",
            hint="e.g. gm-infra plan --phase 2, or gm-infra plan --stack phase2",
        )
    return plan_for_phase(phase) if phase is not None else plan_for_stack(str(stack))
