"""Every resource type the program declares, mapped to boto3 calls (or an explicit
not-emulated entry). ``HANDLERS`` is the one table the local engine consults."""

from __future__ import annotations

from infra.engines.handlers import compute, data, edge, network, storage
from infra.engines.handlers.base import Handler

HANDLERS: dict[str, Handler] = {
    **network.HANDLERS,
    **storage.HANDLERS,
    **data.HANDLERS,
    **compute.HANDLERS,
    **edge.HANDLERS,
}
