"""What the composition root (``cli/``) hands the commands: readers that need the app.

infra/ never imports app/; a command that must read the app's data (the shard map, for a
3 -> 2 check) finds the reader here, put on the click context by the root callback.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import typer

from infra.errors import BadInputError


def no_shard_map_reader(shard_map_url: str) -> str:
    raise BadInputError(
        "this gm-infra cannot read a shard map", hint="run it through gm-infra (cli.main)"
    )


@dataclass(frozen=True)
class AppReaders:
    # The shard map's status at shard 0's URL (idle, copying, done, rolled_back...).
    shard_map_status: Callable[[str], str] = no_shard_map_reader


def app_readers(ctx: typer.Context) -> AppReaders:
    """The readers the root put on the context (none when a command runs on its own)."""
    found = ctx.find_object(AppReaders)
    return found if found is not None else AppReaders()
