"""Cost lines, unpriced resources and the estimate of one plan."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class CostLine:
    """One resource's monthly cost: fixed (hours) and usage (traffic, storage) apart."""

    urn: str
    type: str
    name: str
    fixed: float
    usage: float = 0.0
    detail: str = ""

    @property
    def monthly(self) -> float:
        return self.fixed + self.usage

    def to_dict(self) -> dict[str, Any]:
        return {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "monthly": round(self.monthly, 2),
            "fixed": round(self.fixed, 2),
            "usage": round(self.usage, 2),
            "detail": self.detail,
        }


@dataclass(frozen=True)
class Unpriced:
    urn: str
    type: str
    name: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"urn": self.urn, "type": self.type, "name": self.name, "reason": self.reason}


@dataclass(frozen=True)
class CostEstimate:
    stack: str
    currency: str
    price_version: int
    prices_read_on: str
    resources: list[CostLine]
    unpriced: list[Unpriced] = field(default_factory=list)
    free: int = 0

    @property
    def fixed(self) -> float:
        return sum(line.fixed for line in self.resources)

    @property
    def usage(self) -> float:
        return sum(line.usage for line in self.resources)

    @property
    def total(self) -> float:
        return self.fixed + self.usage

    def to_dict(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "currency": self.currency,
            "total": round(self.total, 2),
            "fixed": round(self.fixed, 2),
            "usage": round(self.usage, 2),
            "prices": {"version": self.price_version, "read_on": self.prices_read_on},
            "resources": [line.to_dict() for line in self.resources],
            "unpriced": [item.to_dict() for item in self.unpriced],
            "free": self.free,
        }
