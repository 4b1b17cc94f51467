"""``gm-infra metrics --stack S``: the seed's monitoring list as numbers from CloudWatch."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from infra.checks.metrics import Row, build_report, parse_since
from infra.commands.engine_options import (
    EndpointOption,
    EngineOption,
    RequiredStack,
    StacksDirOption,
)
from infra.commands.options import FormatOption, JsonFlag, OutputFormat
from infra.engines.select import EngineName, engine_for
from infra.paths import stacks_dir as resolve_stacks_dir
from infra.stack_files import DEFAULT_REGION, read_stack_config

if TYPE_CHECKING:
    from rich.table import Table


def metrics_command(
    stack: RequiredStack,
    engine: EngineOption = EngineName.pulumi,
    endpoint_url: EndpointOption = None,
    stacks_dir: StacksDirOption = None,
    since: Annotated[
        str, typer.Option("--since", help="How far back: 30m, 1h, 7d (up to 15d).")
    ] = "1h",
    output_format: FormatOption = OutputFormat.table,
    json_output: JsonFlag = False,
) -> None:
    """Every item the seed says to watch, per fleet, from CloudWatch; missing ones said so.

    Example: gm-infra metrics --stack demo --engine local --since 1h
    """
    seconds = parse_since(since)
    directory = resolve_stacks_dir(stacks_dir)
    chosen = engine_for(engine, directory, endpoint_url)
    region = str(read_stack_config(stack, directory).get("aws:region", DEFAULT_REGION))
    inventory = chosen.inventory(stack)
    rows = build_report(
        stack=stack,
        inventory=inventory,
        cloudwatch=chosen.client("cloudwatch", region),
        elbv2=chosen.client("elbv2", region),
        seconds=seconds,
    )
    if json_output or output_format is OutputFormat.json:
        payload = {
            "stack": stack,
            "phase": inventory.phase,
            "since": since,
            "rows": [row.to_dict() for row in rows],
            "missing": sum(1 for row in rows if row.value is None),
        }
        typer.echo(json.dumps(payload, indent=2))
        return
    from rich.console import Console

    Console().print(_table(stack, since, rows))


def _table(stack: str, since: str, rows: list[Row]) -> Table:
    from rich.table import Table

    table = Table(title=f"metrics {stack} (last {since})", title_justify="left")
    for column in ("group", "item", "fleet", "value", "unit", "source"):
        table.add_column(column, justify="right" if column == "value" else "left")
    for row in rows:
        value = f"{row.value:,.2f}" if row.value is not None else f"missing ({row.missing})"
        table.add_row(row.group, row.item, row.fleet, value, row.unit, row.source)
    return table


def register(app: typer.Typer) -> None:
    app.command("metrics")(metrics_command)
