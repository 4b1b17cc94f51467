"""A stack's deployed state for the local engine: ``.gm-infra/state/<stack>.json``."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from infra.errors import BadInputError
from infra.paths import state_dir


@dataclass
class ResourceState:
    """One deployed resource: what the plan asked, what was sent, what the emulator said."""

    urn: str
    type: str
    name: str
    custom: bool
    protect: bool
    parent: str | None
    dependencies: list[str]
    inputs: dict[str, Any]
    resolved: dict[str, Any] = field(default_factory=dict)
    id: str = ""
    outputs: dict[str, Any] = field(default_factory=dict)
    fake: dict[str, Any] = field(default_factory=dict)
    emulated: bool = True
    note: str | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ResourceState:
        return cls(**data)


@dataclass
class StackState:
    stack: str
    phase: int
    engine: str
    region: str
    endpoint: str | None
    resources: dict[str, ResourceState] = field(default_factory=dict)
    emulator_id: str = ""  # the emulator run this state was made on (infra/engines/local.py)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["resources"] = {urn: asdict(r) for urn, r in sorted(self.resources.items())}
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StackState:
        return cls(
            stack=data["stack"],
            phase=int(data["phase"]),
            engine=data["engine"],
            region=data["region"],
            endpoint=data.get("endpoint"),
            emulator_id=str(data.get("emulator_id", "")),
            resources={
                urn: ResourceState.from_dict(r) for urn, r in data.get("resources", {}).items()
            },
        )

    def of_type(self, type_token: str) -> list[ResourceState]:
        return sorted(
            (r for r in self.resources.values() if r.type == type_token), key=lambda r: r.urn
        )

    def not_emulated(self) -> list[ResourceState]:
        return sorted((r for r in self.resources.values() if not r.emulated), key=lambda r: r.urn)


def state_file(stack: str, root: Path | None = None) -> Path:
    return (root or state_dir()) / f"{stack}.json"


def load_state(stack: str, root: Path | None = None) -> StackState | None:
    path = state_file(stack, root)
    if not path.exists():
        return None
    try:
        return StackState.from_dict(json.loads(path.read_text()))
    except (ValueError, KeyError, TypeError) as error:
        raise BadInputError(
            f"state file {path} is damaged ({error})",
            hint="delete it to start the stack over in the emulator",
        ) from None


def save_state(state: StackState, root: Path | None = None) -> Path:
    path = state_file(state.stack, root)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(state.to_dict(), indent=1, sort_keys=True, default=str) + "\n")
    tmp.replace(path)
    return path
