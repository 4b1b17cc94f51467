"""``gm-infra rightsize --stack S``: CPU-based instance size suggestions from CloudWatch."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any

import typer

from infra.checks.commitment_advice import CommitmentAdvice, advise
from infra.checks.rightsize import Suggestion, hourly_stats, section_changes, suggest
from infra.commands.engine_options import (
    EndpointOption,
    EngineOption,
    RequiredStack,
    StacksDirOption,
)
from infra.commands.options import JsonOutput, TableOrJson, TableOrJsonFormat, wants_json
from infra.engines.select import EngineName, engine_for
from infra.paths import stacks_dir as resolve_stacks_dir
from infra.stack_files import DEFAULT_REGION, read_stack_config, write_stack_config

if TYPE_CHECKING:
    from infra.checks.rightsize import SectionChange
    from infra.checks.rightsize_proposal import Proposal
    from infra.engines.base import Inventory


def hourly_points(
    cloudwatch: Any,
    namespace: str,
    metric: str,
    dimension: str,
    value: str,
    days: int,
    statistic: str,
) -> list[float]:
    """One value per hour that has data (``statistic`` of ``metric``) over ``days``."""
    end = datetime.now(UTC)
    points = cloudwatch.get_metric_statistics(
        Namespace=namespace,
        MetricName=metric,
        Dimensions=[{"Name": dimension, "Value": value}],
        StartTime=end - timedelta(days=days),
        EndTime=end,
        Period=3600,
        Statistics=[statistic],
    )["Datapoints"]
    return [float(p[statistic]) for p in points if statistic in p]


def commitment_advice(cloudwatch: Any, inventory: Inventory, days: int) -> list[CommitmentAdvice]:
    """A commitment term for each ASG's and database's steady part over ``days``."""
    advice = []
    for group, instance_type in sorted(inventory.asg_types.items()):
        counts = hourly_points(
            cloudwatch, "AWS/AutoScaling", "GroupInServiceInstances", "AutoScalingGroupName",
            group, days, "Minimum",
        )  # fmt: skip
        advice.append(advise("asg", group, instance_type, counts, days))
    for db, db_class in sorted(inventory.db_classes.items()):
        cpu = hourly_points(
            cloudwatch, "AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", db, days, "Average"
        )
        advice.append(advise("rds", db, db_class, [1.0] * len(cpu), days))
    return advice


def cpu_datapoints(
    cloudwatch: Any,
    namespace: str,
    dimension: str,
    value: str,
    days: int,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    end = now or datetime.now(UTC)
    return list(
        cloudwatch.get_metric_statistics(
            Namespace=namespace,
            MetricName="CPUUtilization",
            Dimensions=[{"Name": dimension, "Value": value}],
            StartTime=end - timedelta(days=days),
            EndTime=end,
            Period=3600,
            Statistics=["Average", "Maximum"],
        )["Datapoints"]
    )


def rightsize_command(
    stack: RequiredStack,
    engine: EngineOption = EngineName.pulumi,
    endpoint_url: EndpointOption = None,
    stacks_dir: StacksDirOption = None,
    days: Annotated[int, typer.Option("--days", help="Days of hourly CPU data.")] = 7,
    write: Annotated[
        bool,
        typer.Option(
            "--write",
            help="Write the suggested sizes into the stack's file, after showing every "
            "resource they change and the monthly cost change, and asking.",
        ),
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="With --write: do not ask for confirmation.")
    ] = False,
    json_output: JsonOutput = False,
    output_format: TableOrJsonFormat = TableOrJson.table,
) -> None:
    """Suggest instance sizes from hourly CPU: under 20% average one smaller, over 80% one larger.

    Example: gm-infra rightsize --stack demo --engine local --days 7
    """
    json_output = wants_json(json_output, output_format)
    directory = resolve_stacks_dir(stacks_dir)
    chosen = engine_for(engine, directory, endpoint_url)
    config = read_stack_config(stack, directory)
    region = str(config.get("aws:region", DEFAULT_REGION))
    inventory = chosen.inventory(stack)
    cloudwatch = chosen.client("cloudwatch", region)
    suggestions: list[Suggestion] = []
    for group, instance_type in sorted(inventory.asg_types.items()):
        points = cpu_datapoints(cloudwatch, "AWS/EC2", "AutoScalingGroupName", group, days)
        suggestions.append(suggest("asg", group, instance_type, hourly_stats(points)))
    for db, db_class in sorted(inventory.db_classes.items()):
        points = cpu_datapoints(cloudwatch, "AWS/RDS", "DBInstanceIdentifier", db, days)
        suggestions.append(suggest("rds", db, db_class, hourly_stats(points)))
    decided = section_changes(suggestions, inventory.logical)
    proposal: Proposal | None = None
    written: dict[str, str] = {}
    if write:
        proposal, written = _write(stack, directory, config, decided, yes, json_output)
    commitments = commitment_advice(cloudwatch, inventory, days)
    if json_output:
        typer.echo(
            json.dumps(
                {
                    "stack": stack,
                    "days": days,
                    "suggestions": [s.to_dict() for s in suggestions],
                    "sections": [d.to_dict() for d in decided],
                    "commitments": [c.to_dict() for c in commitments],
                    "proposal": proposal.to_dict() if proposal else None,
                    "written": written,
                },
                indent=2,
            )
        )
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"rightsize {stack} ({days} days, hourly CPU)", title_justify="left")
    for column in ("kind", "target", "avg %", "peak %", "current", "suggested"):
        table.add_column(column)
    for s in suggestions:
        table.add_row(
            s.kind,
            s.target,
            _pct(s.average),
            _pct(s.peak),
            s.current,
            s.suggested or ("-" if s.verdict in ("keep", "no-data") else "at the end"),
        )
    console = Console()
    console.print(table)
    advice = Table(title=f"commitment for what ran steadily ({days} days)", title_justify="left")
    for column in ("kind", "target", "steady", "suggested term", "why"):
        advice.add_column(column)
    for c in commitments:
        advice.add_row(c.kind, c.target, f"{c.steady} x {c.instance_type}", c.term, c.reason)
    console.print(advice)
    for d in decided:
        console.print(f"{d.section}.{d.field}: {d.current} -> {d.suggested or 'kept'} ({d.reason})")
    for key, value in written.items():
        console.print(f"wrote {key} = {value}")


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _write(
    stack: str,
    directory: Any,
    config: dict[str, Any],
    decided: list[SectionChange],
    yes: bool,
    json_output: bool,
) -> tuple[Proposal | None, dict[str, str]]:
    """Show what the new sizes change and cost, ask, then write them into the stack file.

    Nothing is written without a yes (``--yes``, or y at the prompt); with no terminal to ask
    on and no ``--yes``, it refuses before writing (exit 2); a declined prompt exits 1."""
    from infra.checks.rightsize_proposal import propose
    from infra.errors import BadInputError, CheckFailedError
    from infra.locks import held

    if not any(d.suggested for d in decided):
        return None, {}
    typer.echo("rightsize: planning and pricing the stack with the new sizes", err=True)
    proposal = propose(stack, config, decided)
    lines = [
        f"{c.section}.{c.field}: {c.current} -> {c.suggested} ({c.reason})"
        for c in proposal.changes
    ]
    lines.append(
        f"changes {len(proposal.resources)} resource(s): {', '.join(proposal.resources)}"
        + (f"; replaces {', '.join(proposal.replaced)}" if proposal.replaced else "")
    )
    lines.append(
        f"monthly cost: {proposal.monthly_before:,.2f} -> {proposal.monthly_after:,.2f} "
        f"{proposal.currency} ({proposal.monthly_change:+,.2f})"
    )
    for line in lines:
        typer.echo(line, err=True)
    if not yes:
        if json_output or not sys.stdin.isatty():
            raise BadInputError(
                "no terminal to confirm the write on",
                hint="pass --yes to write the sizes shown above without a prompt",
            )
        if not typer.confirm(f"Write these sizes into Pulumi.{stack}.yaml?", default=False):
            raise CheckFailedError("declined at the prompt: nothing was written")
    with held(stack, f"gm-infra rightsize --stack {stack} --write"):
        write_stack_config(stack, proposal.config, directory)
    return proposal, {c.section: str(c.suggested) for c in proposal.changes}


def register(app: typer.Typer) -> None:
    app.command("rightsize")(rightsize_command)
