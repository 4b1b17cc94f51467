"""What changed between two plans, resource by resource and property by property."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class PropertyChange:
    path: str
    before: Any
    after: Any
    replaces: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "before": self.before,
            "after": self.after,
            "replaces": self.replaces,
        }


@dataclass(frozen=True)
class ResourceChange:
    """One added, removed, updated or replaced resource."""

    action: str  # "add" | "remove" | "update" | "replace"
    urn: str
    type: str
    name: str
    stateful: bool = False
    properties: list[PropertyChange] = field(default_factory=list)
    warning: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "action": self.action,
            "stateful": self.stateful,
        }
        if self.properties:
            data["properties"] = [change.to_dict() for change in self.properties]
        if self.warning:
            data["warning"] = self.warning
        return data


@dataclass(frozen=True)
class PlanDiff:
    before: str
    after: str
    added: list[ResourceChange]
    removed: list[ResourceChange]
    changed: list[ResourceChange]

    @property
    def replaced(self) -> list[ResourceChange]:
        return [change for change in self.changed if change.action == "replace"]

    @property
    def warnings(self) -> list[ResourceChange]:
        return [c for c in self.removed + self.changed if c.warning]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "before": self.before,
            "after": self.after,
            "added": [c.to_dict() for c in self.added],
            "removed": [c.to_dict() for c in self.removed],
            "changed": [c.to_dict() for c in self.changed],
            "warnings": [f"{c.name}: {c.warning}" for c in self.warnings],
        }
