"""The shard map's status, read with the app's reshard workflow for ``gm-infra phase``'s
3 -> 2 check. The promotion takes this reader as a function: infra/ never imports app/."""

from __future__ import annotations

from infra.errors import BadInputError


def shard_map_status(shard_map_url: str) -> str:
    """The map's status at shard 0 (``idle``, ``copying``, ``done``, ``rolled_back``...)."""
    # Imported here: app.reshard needs the app extra (SQLAlchemy, PyMySQL), which a base
    # install of the toolkit does not have and only this check uses.
    from app.reshard.errors import ReshardError
    from app.reshard.workflow import status

    try:
        return str(status(shard_map_url)["status"])
    except ReshardError as error:
        raise BadInputError(error.message, hint="--shard-map takes shard 0's URL") from None
