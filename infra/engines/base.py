"""The engine interface: deploy a Plan for a stack, and say what the stack now holds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from infra.plan.model import Plan
    from infra.settings import Settings

Action = Literal["create", "update", "replace", "delete", "retain", "same"]


@dataclass(frozen=True)
class Change:
    """What the engine did to one resource."""

    urn: str
    type: str
    name: str
    action: Action
    note: str | None = None
    emulated: bool = True
    # A cloud resource; False for components, the stack and providers, which the diff does
    # not count either (so "N to add" and "N created" agree).
    custom: bool = True


@dataclass
class DeployResult:
    changes: list[Change] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)

    def count(self, action: Action) -> int:
        """Cloud resources given ``action`` (components are not counted, as in the diff)."""
        return sum(1 for c in self.changes if c.action == action and c.custom)


# The key of ``Inventory.not_emulated`` for the shard map: the emulator's RDS holds no rows.
RESHARD_NOT_EMULATED = "reshard shard map"


@dataclass(frozen=True)
class Inventory:
    """The live resources verify and rightsize look at, with their real ids."""

    phase: int
    load_balancers: list[str] = field(default_factory=list)
    target_groups: list[str] = field(default_factory=list)
    auto_scaling_groups: dict[str, int] = field(default_factory=dict)
    db_primaries: list[str] = field(default_factory=list)
    db_replicas: list[str] = field(default_factory=list)
    db_classes: dict[str, str] = field(default_factory=dict)
    asg_types: dict[str, str] = field(default_factory=dict)
    cache_groups: dict[str, int] = field(default_factory=dict)
    distributions: list[str] = field(default_factory=list)
    lattice_networks: list[str] = field(default_factory=list)
    lattice_services: list[str] = field(default_factory=list)
    not_emulated: dict[str, str] = field(default_factory=dict)
    logical: dict[str, str] = field(default_factory=dict)


Progress = Callable[[Change], None]


class Engine(Protocol):
    name: str

    def deploy(self, settings: Settings, plan: Plan, progress: Progress) -> DeployResult:
        """Bring the stack to ``plan``; report each resource as it is done."""
        ...

    def deployed_phase(self, stack: str) -> int | None:
        """The phase the stack runs now, None if it was never deployed."""
        ...

    def deployed_plan(self, stack: str) -> Plan | None:
        """The plan the stack was last deployed from, None if never deployed."""
        ...

    def inventory(self, stack: str) -> Inventory:
        """What the stack holds, for verify and rightsize."""
        ...

    def client(self, service: str, region: str) -> Any:
        """A boto3 client where this engine's resources live."""
        ...
