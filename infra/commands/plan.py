"""``gm-infra plan``: the offline plan of a phase or a stack."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from infra.commands.options import (
    FormatOption,
    JsonFlag,
    OutOption,
    OutputFormat,
    PhaseOption,
    StackOption,
)

if TYPE_CHECKING:
    from infra.plan.model import Plan


def plan(
    phase: PhaseOption = None,
    stack: StackOption = None,
    output_format: FormatOption = OutputFormat.table,
    json_output: JsonFlag = False,
    out: OutOption = None,
) -> None:
    """Plan a phase or stack offline: no pulumi CLI, no credentials, no network.

    Runs the real Pulumi program under recording mocks and shows what it declares.

    Example: gm-infra plan --phase 2 --format json > phase2.json
    """
    from infra.plan.load import plan_for_target
    from infra.plan.report import plan_markdown

    result = plan_for_target(phase, stack)
    fmt = OutputFormat.json if json_output else output_format
    if fmt is OutputFormat.json:
        text = result.to_json()
    elif fmt is OutputFormat.markdown:
        text = plan_markdown(result)
    else:
        if out is None:
            _print_table(result)
            return
        text = plan_markdown(result)
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text)
        typer.echo(f"wrote {out} ({len(result.custom_resources())} resources)", err=True)


def _print_table(plan: Plan) -> None:
    from rich.console import Console
    from rich.table import Table

    from infra.plan.report import key_settings, plan_summary, type_counts

    console = Console()
    summary = plan_summary(plan)
    console.print(
        f"[bold]stack {plan.stack}[/bold]: phase {plan.phase} ({summary['phaseName']}), "
        f"{summary['resources']} resources, {summary['protected']} protected; sized for "
        f"{summary['capacity']['users']} users, {summary['capacity']['requestsPerSecond']} req/s"
    )
    counts = Table(title="Resources by type")
    counts.add_column("type")
    counts.add_column("count", justify="right")
    for typ, count in type_counts(plan):
        counts.add_row(typ, str(count))
    console.print(counts)
    detail = Table(title="Key settings")
    detail.add_column("resource")
    detail.add_column("type")
    detail.add_column("settings")
    detail.add_column("protect")
    for resource in plan.custom_resources():
        settings = key_settings(resource)
        if settings:
            detail.add_row(
                resource.name,
                resource.type.split(":")[-1],
                settings,
                "yes" if resource.protect else "",
            )
    console.print(detail)


def register(root: typer.Typer) -> None:
    root.command("plan")(plan)
