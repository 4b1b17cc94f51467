"""gm-infra: plan, check, price, promote and verify the Green Matchers phase stacks.

The composition root: it assembles the command modules of ``infra/commands`` and the
``gm-infra app`` group (``cli/app_group.py``), the one place that imports both the toolkit
and the bundled app (infra/ never imports app/; import-linter holds it). ``GmGroup`` turns
known errors into one line plus a hint with the right exit code.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from cli import app_group
from cli.contract import ARGV_KEY, install_sigterm, run_guarded
from cli.shard_map import shard_map_status
from infra.commands import registry
from infra.commands.readers import AppReaders


class GmGroup(TyperGroup):
    """The root group: every command runs under the exit-code contract (``cli/contract.py``)."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:  # type: ignore[override]
        ctx.meta[ARGV_KEY] = list(args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        return run_guarded(ctx, lambda: super(GmGroup, self).invoke(ctx))


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


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"gm-infra {version('green-matchers-infra')}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", callback=_version, is_eager=True
        ),
    ] = False,
) -> None:
    """Plan, check, price, promote and verify the Green Matchers phase stacks.

    Exit codes: 0 success, 1 a check failed, 2 bad input, 3 a failure outside gm-infra
    (AWS, the emulator, git), 130 interrupted.
    """
    ctx.obj = AppReaders(shard_map_status=shard_map_status)


def main() -> None:
    """Entry point of the ``gm-infra`` script."""
    install_sigterm()
    app()
