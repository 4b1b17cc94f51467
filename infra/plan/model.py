"""The Plan data model (DESIGN.md): stable, deterministic, secrets redacted.

Every consumer (diff, policy, cost, diagram, local engine) reads a Plan and nothing else.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.errors import BadInputError

SECRET = "[secret]"


@dataclass(frozen=True)
class PlannedResource:
    """One registered resource: Pulumi type token, wire-named inputs, graph edges."""

    urn: str
    type: str
    name: str
    custom: bool
    parent: str | None
    inputs: dict[str, Any]
    dependencies: list[str] = field(default_factory=list)
    protect: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "custom": self.custom,
            "parent": self.parent,
            "inputs": self.inputs,
            "dependencies": self.dependencies,
            "protect": self.protect,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PlannedResource:
        return cls(
            urn=data["urn"],
            type=data["type"],
            name=data["name"],
            custom=bool(data.get("custom", True)),
            parent=data.get("parent"),
            inputs=dict(data.get("inputs", {})),
            dependencies=list(data.get("dependencies", [])),
            protect=bool(data.get("protect", False)),
        )


@dataclass(frozen=True)
class Plan:
    """The resource graph of one stack, as the program declares it."""

    project: str
    stack: str
    phase: int
    resources: list[PlannedResource]
    outputs: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "stack": self.stack,
            "phase": self.phase,
            "resources": [r.to_dict() for r in sorted(self.resources, key=lambda r: r.urn)],
            "outputs": dict(sorted(self.outputs.items())),
        }

    def to_json(self) -> str:
        """Byte-identical for identical settings: sorted resources and keys."""
        return json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Plan:
        return cls(
            project=data["project"],
            stack=data["stack"],
            phase=int(data["phase"]),
            resources=[PlannedResource.from_dict(r) for r in data["resources"]],
            outputs=dict(data.get("outputs", {})),
        )

    @classmethod
    def load(cls, path: Path) -> Plan:
        """Read a plan file written by ``gm-infra plan --format json``."""
        try:
            data = json.loads(path.read_text())
            return cls.from_dict(data)
        except FileNotFoundError:
            raise BadInputError(f"plan file {path} does not exist") from None
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
            raise BadInputError(
                f"plan file {path} is not a gm-infra plan ({error})",
                hint="write one with: gm-infra plan --phase N --format json > plan.json",
            ) from None

    def by_urn(self) -> dict[str, PlannedResource]:
        return {r.urn: r for r in self.resources}

    def of_type(self, type_token: str) -> list[PlannedResource]:
        return sorted((r for r in self.resources if r.type == type_token), key=lambda r: r.urn)

    def custom_resources(self) -> list[PlannedResource]:
        return sorted((r for r in self.resources if r.custom), key=lambda r: r.urn)
