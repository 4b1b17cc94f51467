"""``gm-infra docs``: the README's CLI and settings references, generated from the code."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from infra.commands.options import JsonOutput, TableOrJson, TableOrJsonFormat, wants_json
from infra.errors import CheckFailedError


def docs(
    ctx: typer.Context,
    write_files: Annotated[
        bool, typer.Option("--write", help="Rewrite the stale blocks in place.")
    ] = False,
    json_output: JsonOutput = False,
    output_format: TableOrJsonFormat = TableOrJson.table,
) -> None:
    """Regenerate the README's CLI reference (from this CLI's commands) and settings
    reference (from the settings models and the phase profiles).

    Without --write, checks them: exit 1 naming each block that is out of date. The blocks
    sit between <!-- BEGIN NAME --> and <!-- END NAME --> comments in README.md.

    Example: gm-infra docs --write
    """
    json_output = wants_json(json_output, output_format)
    from infra.docs.readme import REPO_ROOT, WRITE_COMMAND, blocks, stale, write

    wanted = blocks(ctx.find_root().command)
    changed = write(wanted) if write_files else stale(wanted)
    names = [f"{b.path.relative_to(REPO_ROOT)}: {b.name}" for b in changed]
    if json_output:
        typer.echo(json.dumps({"written": write_files, "blocks": names}))
    elif write_files:
        typer.echo("\n".join(f"rewrote {n}" for n in names) or "every block was up to date")
    elif not names:
        typer.echo("every block is up to date")
    if names and not write_files:
        raise CheckFailedError(f"out of date: {', '.join(names)}", hint=f"run {WRITE_COMMAND}")


def register(app: typer.Typer) -> None:
    app.command("docs")(docs)
