"""The stack's dashboard body: the seed's four groups, one widget per item, one line per fleet.

Pure: takes fleets with resolved dimensions and returns the JSON CloudWatch stores.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from infra.observability.seed_items import GROUPS, SEED_ITEMS, FleetKind, SeedItem

PERIOD = 300
WIDTH, HEIGHT, PER_ROW = 8, 6, 3


@dataclass(frozen=True)
class DashboardFleet:
    kind: FleetKind
    label: str
    dimensions: Mapping[str, str]


def _metric(item: SeedItem, metric: str, dims: Mapping[str, str], **options: Any) -> list[Any]:
    line: list[Any] = [item.namespace, metric]
    for key, value in dims.items():
        line += [key, value]
    return [*line, options]


def item_lines(item: SeedItem, fleets: list[DashboardFleet]) -> list[list[Any]]:
    """The widget's ``metrics``: a line per fleet (metric math for rates and ratios)."""
    lines: list[list[Any]] = []
    for n, fleet in enumerate(f for f in fleets if f.kind == item.kind):
        dims = fleet.dimensions
        if item.formula == "stat":
            lines.append(_metric(item, item.metric, dims, stat=item.stat, label=fleet.label))
            continue
        lines.append(_metric(item, item.metric, dims, stat="Sum", id=f"m{n}", visible=False))
        if item.formula == "per_second":
            expression = f"m{n}/PERIOD(m{n})"
        else:
            names = []
            for d, name in enumerate(item.denominator):
                if name == item.metric:
                    names.append(f"m{n}")
                    continue
                ident = f"d{n}x{d}"
                lines.append(_metric(item, name, dims, stat="Sum", id=ident, visible=False))
                names.append(ident)
            expression = f"100*m{n}/({'+'.join(names)})"
        lines.append([{"expression": expression, "label": fleet.label, "id": f"e{n}"}])
    return lines


def dashboard_body(region: str, stack: str, fleets: list[DashboardFleet]) -> str:
    widgets: list[dict[str, Any]] = []
    y = 0
    for group in GROUPS:
        widgets.append(
            {
                "type": "text",
                "x": 0,
                "y": y,
                "width": WIDTH * PER_ROW,
                "height": 1,
                "properties": {"markdown": f"## {group.capitalize()} ({stack})"},
            }
        )
        y += 1
        items = [i for i in SEED_ITEMS if i.group == group]
        for index, item in enumerate(items):
            lines = item_lines(item, fleets)
            properties: dict[str, Any] = {
                "title": f"{item.label} ({item.unit})",
                "region": region,
                "period": PERIOD,
                "view": "timeSeries",
                "metrics": lines,
            }
            if not lines:  # no such fleet in this phase (no replica in phase 1): said so
                widgets.append(
                    {
                        "type": "text",
                        "x": (index % PER_ROW) * WIDTH,
                        "y": y + (index // PER_ROW) * HEIGHT,
                        "width": WIDTH,
                        "height": HEIGHT,
                        "properties": {"markdown": f"**{item.label}**: none in this phase"},
                    }
                )
                continue
            widgets.append(
                {
                    "type": "metric",
                    "x": (index % PER_ROW) * WIDTH,
                    "y": y + (index // PER_ROW) * HEIGHT,
                    "width": WIDTH,
                    "height": HEIGHT,
                    "properties": properties,
                }
            )
        y += -(-len(items) // PER_ROW) * HEIGHT
    return json.dumps({"widgets": widgets}, sort_keys=True)
