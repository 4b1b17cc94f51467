"""``gm-infra local start|stop|status``: the AWS emulator on loopback, in the background."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from infra.commands.options import JsonOutput, TableOrJson, TableOrJsonFormat, wants_json

local_app = typer.Typer(
    help="The local AWS emulator (moto on loopback) for --engine local.", no_args_is_help=True
)


@local_app.command("start")
def start(
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="Port on 127.0.0.1 (0: a free one).")
    ] = 0,
    json_output: JsonOutput = False,
    output_format: TableOrJsonFormat = TableOrJson.table,
) -> None:
    """Start the emulator in the background (loopback only) unless one runs.

    Example: gm-infra local start, then gm-infra phase 1 --stack demo --engine local --yes
    """
    json_output = wants_json(json_output, output_format)
    from infra.emulator.process import start_background
    from infra.locks import EMULATOR, held

    with held(EMULATOR, f"gm-infra local start --port {port}"):
        process, started = start_background(port)
    _show(
        {"endpoint": process.endpoint, "pid": process.pid, "started": started},
        json_output,
        f"emulator {'started' if started else 'already running'} on {process.endpoint} "
        f"(pid {process.pid})",
    )


@local_app.command("stop")
def stop(
    json_output: JsonOutput = False, output_format: TableOrJsonFormat = TableOrJson.table
) -> None:
    """Stop the emulator `gm-infra local start` started (emulated resources are lost)."""
    json_output = wants_json(json_output, output_format)
    from infra.emulator.process import stop_background
    from infra.locks import EMULATOR, held

    with held(EMULATOR, "gm-infra local stop"):
        stopped = stop_background()
    _show(
        {"stopped": stopped is not None, "pid": stopped.pid if stopped else None},
        json_output,
        f"emulator stopped (pid {stopped.pid})" if stopped else "no emulator was running",
    )


@local_app.command("status")
def status(
    json_output: JsonOutput = False, output_format: TableOrJsonFormat = TableOrJson.table
) -> None:
    """Show the running emulator's endpoint."""
    json_output = wants_json(json_output, output_format)
    from infra.emulator.process import current, running_endpoint

    found = current()
    endpoint = running_endpoint()
    _show(
        {
            "running": endpoint is not None,
            "endpoint": endpoint,
            "pid": found.pid if found else None,
        },
        json_output,
        f"emulator on {endpoint}" if endpoint else "no emulator running",
    )


def _show(data: dict[str, object], json_output: bool, text: str) -> None:
    typer.echo(json.dumps(data) if json_output else text)


def register(app: typer.Typer) -> None:
    app.add_typer(local_app, name="local")
