"""``gm-infra unlock --stack S``: clear a lock whose holder is gone or cannot be seen."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from infra.commands.options import JsonOutput, TableOrJson, TableOrJsonFormat, wants_json
from infra.errors import BadInputError


def unlock(
    stack: Annotated[
        str | None, typer.Option("--stack", "-s", help="The stack whose lock to clear.")
    ] = None,
    emulator: Annotated[
        bool, typer.Option("--emulator", help="Clear the emulator's lock instead.")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    json_output: JsonOutput = False,
    output_format: TableOrJsonFormat = TableOrJson.table,
) -> None:
    """Clear a stack's lock left by a run that is over (killed, or on another host).

    A lock held by a running process is never cleared: stop that command instead (its lock
    goes with it). Asks first unless --yes; declining exits 1.

    Example: gm-infra unlock --stack phase2
    """
    json_output = wants_json(json_output, output_format)
    from infra.locks import EMULATOR, clear, read_holder
    from infra.stack_files import stack_file
    from infra.writable import check_data_dir

    if (stack is None) == (not emulator):
        raise BadInputError("give --stack S or --emulator", hint="e.g. gm-infra unlock -s demo")
    name = EMULATOR if emulator else str(stack)
    if stack is not None:
        stack_file(stack)  # the name is checked like every stack name
    check_data_dir()
    holder = read_holder(name)
    if holder is None:
        _show(json_output, {"ok": True, "cleared": None}, f"{name}: not locked")
        return
    if not yes:
        if not interactive():
            raise BadInputError("no terminal to confirm on", hint="pass --yes")
        typer.confirm(f"Clear the lock of {holder.describe()}?", abort=True)
    cleared = clear(name)
    _show(
        json_output,
        {"ok": True, "cleared": cleared.__dict__ if cleared else None},
        f"cleared the lock of {cleared.describe()}" if cleared else f"{name}: not locked",
    )


def interactive() -> bool:
    """Whether a person can answer the prompt (stdin is a terminal)."""
    return sys.stdin.isatty()


def _show(json_output: bool, data: dict[str, object], text: str) -> None:
    typer.echo(json.dumps(data) if json_output else text)


def register(app: typer.Typer) -> None:
    app.command("unlock")(unlock)
