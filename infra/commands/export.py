"""``gm-infra export``: the plan as a CloudFormation template, for outside judges."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from infra.commands.options import OutOption, PhaseOption, PlanFileOption, StackOption
from infra.errors import BadInputError
from infra.plan.load import load_plan


class ExportFormat(StrEnum):
    cloudformation = "cloudformation"


def export(
    phase: PhaseOption = None,
    stack: StackOption = None,
    plan: PlanFileOption = None,
    export_format: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="The rendering to write.")
    ] = ExportFormat.cloudformation,
    out: OutOption = None,
) -> None:
    """Write the plan as a CloudFormation template: for cfn-lint and checkov, not deploying.

    One CloudFormation resource per plan resource with an equivalent; each carries its
    Plan URN in Metadata. Resources with no equivalent are listed on stderr and in the
    template's Metadata.

    Example: gm-infra export --phase 4 --format cloudformation --out phase4.json
    """
    from infra.export.cloudformation import export_plan
    from infra.validate.region import region_for

    loaded = load_plan(phase, stack, plan)
    result = export_plan(loaded, region_for(loaded, phase, stack))
    if out is not None:
        try:
            out.write_text(result.to_json())
        except OSError as error:
            raise BadInputError(f"cannot write {out}: {error.strerror}") from None
    else:
        typer.echo(result.to_json(), nl=False)
    resources = len(result.template["Resources"])
    typer.echo(
        f"exported {resources} CloudFormation resource(s) ({export_format.value}); "
        f"{len(result.not_exported)} plan resource(s) have no equivalent:",
        err=True,
    )
    for skipped in result.not_exported:
        typer.echo(f"  {skipped.name} ({skipped.type}): {skipped.reason}", err=True)


def register(root: typer.Typer) -> None:
    root.command("export")(export)
