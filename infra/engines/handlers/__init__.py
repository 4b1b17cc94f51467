"""Every resource type the program declares, mapped to boto3 calls (or an explicit
not-emulated entry). ``HANDLERS`` is the one table the local engine consults.

One module per concern, named as the components are (``infra/components/``) and the
policy rules (``infra/policy/rules/``); iam, storage and secrets hold the types several
components share.
"""

from __future__ import annotations

from infra.engines.handlers import (
    cache,
    cdn,
    database,
    fleet,
    iam,
    load_balancer,
    monitoring,
    network,
    secrets,
    services,
    storage,
)
from infra.engines.handlers.base import Handler

HANDLERS: dict[str, Handler] = {
    **network.HANDLERS,
    **storage.HANDLERS,
    **iam.HANDLERS,
    **database.HANDLERS,
    **cache.HANDLERS,
    **secrets.HANDLERS,
    **fleet.HANDLERS,
    **load_balancer.HANDLERS,
    **cdn.HANDLERS,
    **monitoring.HANDLERS,
    **services.HANDLERS,
}
