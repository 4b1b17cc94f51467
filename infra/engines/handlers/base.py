"""What a resource handler is: create, update in place, delete, against boto3 clients."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from infra.engines.state import ResourceState
from infra.plan.model import PlannedResource


class NeedsReplacement(Exception):
    """An update handler found a change AWS cannot make in place."""


@dataclass
class Applied:
    """The emulator's answer: real id and outputs (same keys as the plan's mocks)."""

    id: str
    outputs: dict[str, Any] = field(default_factory=dict)
    emulated: bool = True
    note: str | None = None


class Context:
    """boto3 clients on the emulator endpoint, and the stack's naming."""

    def __init__(self, stack: str, region: str, client_factory: Callable[[str], Any]):
        self.stack = stack
        self.region = region
        self._factory = client_factory
        self._clients: dict[str, Any] = {}

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self._factory(service)
        return self._clients[service]

    def physical_name(self, res: PlannedResource, limit: int = 63) -> str:
        """Pulumi-style auto-name: logical name plus a suffix that is stable per stack."""
        suffix = hashlib.sha256(f"{self.stack}/{res.urn}".encode()).hexdigest()[:7]
        return f"{res.name[: limit - 8]}-{suffix}"


CreateFn = Callable[[Context, PlannedResource, dict[str, Any]], Applied]
UpdateFn = Callable[[Context, PlannedResource, ResourceState, dict[str, Any]], Applied]
DeleteFn = Callable[[Context, ResourceState], None]


@dataclass(frozen=True)
class Handler:
    """How one Pulumi type maps to boto3. ``update`` None: a change means replacement."""

    create: CreateFn
    update: UpdateFn | None = None
    delete: DeleteFn | None = None
    note: str | None = None


def tag_list(
    inputs: dict[str, Any], key: str = "Key", value: str = "Value"
) -> list[dict[str, str]]:
    return [{key: k, value: str(v)} for k, v in sorted((inputs.get("tags") or {}).items())]


def not_emulated(note: str) -> Handler:
    """An explicit entry for a type the emulator cannot hold: recorded, never faked."""

    def create(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
        return Applied(id=f"not-emulated:{res.name}", emulated=False, note=note)

    def update(
        ctx: Context, res: PlannedResource, old: ResourceState, inputs: dict[str, Any]
    ) -> Applied:
        return Applied(id=old.id, outputs=old.outputs, emulated=False, note=note)

    return Handler(create=create, update=update, delete=None, note=note)


def same_again(create: CreateFn) -> UpdateFn:
    """For idempotent put-style calls: an update is the same call again."""

    def update(
        ctx: Context, res: PlannedResource, old: ResourceState, inputs: dict[str, Any]
    ) -> Applied:
        return create(ctx, res, inputs)

    return update
