"""gm-infra: plan, check, price, promote and verify the Green Matchers phase stacks.

The composition root: it assembles the command modules of ``infra/commands`` and the
``gm-infra app`` group (``cli/app_group.py``), the one place that imports both the toolkit
and the bundled app (infra/ never imports app/; import-linter holds it). ``GmGroup`` turns
known errors into one line plus a hint with the right exit code.
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

from cli import app_group
from cli.shard_map import shard_map_status
from infra.commands import registry
from infra.commands.readers import AppReaders
from infra.errors import GmError


class GmGroup(TyperGroup):
    """The root group: a known error becomes one line on stderr and its exit code."""

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except GmError as error:
            typer.secho(f"error: {error.message}", err=True, fg=typer.colors.RED)
            if error.hint:
                typer.echo(f"hint: {error.hint}", err=True)
            raise typer.Exit(error.exit_code) from None


app = typer.Typer(
    name="gm-infra",
    cls=GmGroup,
    help="Plan, check, price, promote and verify the Green Matchers phase stacks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
registry.register_all(app)
app_group.register(app)


@app.callback()
def root(ctx: typer.Context) -> None:
    """Plan, check, price, promote and verify the Green Matchers phase stacks.

    Exit codes: 0 success, 1 a check failed, 2 bad input.
    """
    ctx.obj = AppReaders(shard_map_status=shard_map_status)


def main() -> None:
    """Entry point of the ``gm-infra`` script."""
    app()
