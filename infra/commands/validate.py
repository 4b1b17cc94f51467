"""``gm-infra validate``: cfn-lint, checkov and our AWS limits over one plan, offline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from infra.commands.options import FormatOption, JsonFlag, OutputFormat, PhaseOption, StackOption
from infra.commands.policy import PlanFileOption
from infra.diff.sources import load_plan
from infra.errors import BadInputError, CheckFailedError

WaiversOption = Annotated[
    Path | None,
    typer.Option("--waivers", help="YAML list of {tool, rule, resource, reason} (default: ours)."),
]
JudgesOption = Annotated[
    str,
    typer.Option("--judges", help="Comma-separated subset of cfn-lint,checkov,gm-limits."),
]


def validate(
    phase: PhaseOption = None,
    stack: StackOption = None,
    plan: PlanFileOption = None,
    waivers: WaiversOption = None,
    judges: JudgesOption = "cfn-lint,checkov,gm-limits",
    output_format: FormatOption = OutputFormat.table,
    json_output: JsonFlag = False,
) -> None:
    """Judge a plan by AWS's own schemas (cfn-lint), checkov and our AWS limits; offline.

    The plan is exported to CloudFormation (gm-infra export) and linted in the stack's
    region. Exit 1 on any unwaived error (a stale waiver is one), 2 on bad input. Waivers
    live in infra/validate/waivers.yaml, each with a reason.

    Example: gm-infra validate --phase 4 --format json
    """
    from infra.validate.region import region_for
    from infra.validate.render import validate_markdown, validate_text
    from infra.validate.run import JUDGES, validate_plan
    from infra.validate.waivers import DEFAULT_FILE

    chosen = [j.strip() for j in judges.split(",") if j.strip()]
    unknown = [j for j in chosen if j not in JUDGES]
    if unknown or not chosen:
        raise BadInputError(
            f"--judges {judges!r} names {', '.join(unknown) or 'nothing'}",
            hint=f"choose from {', '.join(JUDGES)}",
        )
    fmt = OutputFormat.json if json_output else output_format
    loaded = load_plan(phase, stack, plan)
    result = validate_plan(
        loaded,
        region_for(loaded, phase, stack),
        waivers or DEFAULT_FILE,
        chosen,
        progress=lambda line: typer.echo(line, err=True),
    )
    if fmt is OutputFormat.json:
        typer.echo(json.dumps(result.to_dict(), indent=2))
    elif fmt is OutputFormat.markdown:
        typer.echo(validate_markdown(result), nl=False)
    else:
        typer.echo(validate_text(result), nl=False)
    if not result.passed:
        failing = [f for f in result.unwaived() if f.severity == "error"]
        names = ", ".join(sorted({f"{f.rule} on {f.name}" for f in failing}))
        raise CheckFailedError(
            f"{len(failing)} unwaived error(s): {names}",
            hint="fix the program, or waive with a reason in infra/validate/waivers.yaml",
        )


def register(root: typer.Typer) -> None:
    root.command("validate")(validate)
