"""The price table and the usage profile, loaded from YAML and read through typed accessors."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from infra.errors import BadInputError

PRICES_FILE = Path(__file__).with_name("prices.yaml")
USAGE_FILE = Path(__file__).with_name("usage.yaml")


@dataclass(frozen=True)
class PriceTable:
    data: dict[str, Any]

    @property
    def version(self) -> int:
        return int(self.data["version"])

    @property
    def read_on(self) -> str:
        return str(self.data["read_on"])

    @property
    def currency(self) -> str:
        return str(self.data["currency"])

    @property
    def hours(self) -> float:
        return float(self.data["hours_per_month"])

    def rate(self, key: str) -> float:
        return float(self.data[key])

    def find(self, section: str, name: str) -> float | None:
        """A per-type price (``ec2_instance_hour``, ``t3.medium``), None when unlisted."""
        value = self.data.get(section, {}).get(name)
        return None if value is None else float(value)


@dataclass(frozen=True)
class Usage:
    data: dict[str, dict[str, float]]

    def get(self, service: str, key: str) -> float:
        return float(self.data.get(service, {}).get(key, 0.0))


def load_prices(path: Path = PRICES_FILE) -> PriceTable:
    return PriceTable(_read_yaml(path))


def default_usage(phase: int) -> Usage:
    phases = _read_yaml(USAGE_FILE)["phases"]
    return Usage(copy.deepcopy(phases.get(phase) or phases[max(phases)]))


def load_usage(phase: int, override: Path | None = None) -> Usage:
    """The phase's default usage, with any keys from ``override`` replacing them."""
    usage = default_usage(phase)
    if override is None:
        return usage
    extra = _read_yaml(override)
    merged = copy.deepcopy(usage.data)
    for service, values in extra.items():
        if not isinstance(values, dict):
            raise BadInputError(
                f"usage file {override}: {service} must be a mapping",
                "e.g. alb: {new_connections_per_second: 50}",
            )
        for key, value in values.items():
            if not isinstance(value, (int, float)) or value < 0:
                raise BadInputError(
                    f"usage file {override}: {service}.{key}={value!r} is not a non-negative number"
                )
        merged.setdefault(service, {}).update(values)
    return Usage(merged)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise BadInputError(f"{path} does not exist") from None
    except yaml.YAMLError as error:
        raise BadInputError(f"{path} is not YAML ({error})") from None
    if not isinstance(data, dict):
        raise BadInputError(f"{path} is not a YAML mapping")
    return data
