"""``gm-infra metrics``: the seed's list as numbers from CloudWatch, one row per item and fleet."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from infra.engines.base import Inventory
from infra.errors import BadInputError
from infra.observability.seed_items import (
    APP_NAMESPACE,
    SEED_ITEMS,
    FleetKind,
    SeedItem,
    cache_node_id,
)

SINCE = re.compile(r"(\d+)([mhd])")
UNIT_SECONDS = {"m": 60, "h": 3600, "d": 86400}
MAX_SINCE = 15 * 86400  # CloudWatch keeps 1-minute data 15 days


def parse_since(text: str) -> int:
    """``"90m"`` / ``"1h"`` / ``"7d"`` -> seconds (a whole number of minutes, up to 15 days)."""
    match = SINCE.fullmatch(text.strip())
    seconds = int(match.group(1)) * UNIT_SECONDS[match.group(2)] if match else 0
    if not match or not 60 <= seconds <= MAX_SINCE:
        raise BadInputError(
            f"--since {text!r} is not a duration between 1m and 15d",
            hint="use minutes, hours or days: 30m, 1h, 7d",
        )
    return seconds


@dataclass(frozen=True)
class Row:
    group: str
    item: str
    fleet: str
    value: float | None
    unit: str
    source: str
    missing: str = ""  # why there is no value

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


Dims = list[dict[str, str]]


def _arn_suffix(arn: str, marker: str) -> str:
    """``arn:...:loadbalancer/app/x/1`` -> ``app/x/1`` (what ALB metrics use as dimensions)."""
    return arn.split(f":{marker}/", 1)[-1] if f":{marker}/" in arn else arn


def app_services(cloudwatch: Any, stack: str, phase: int) -> list[str]:
    """The services that published for this stack and phase (``api`` when none did)."""
    found: set[str] = set()
    pages = cloudwatch.get_paginator("list_metrics").paginate(
        Namespace=APP_NAMESPACE,
        MetricName="RequestCount",
        Dimensions=[{"Name": "Stack", "Value": stack}],
    )
    for page in pages:
        for metric in page["Metrics"]:
            dims = {d["Name"]: d["Value"] for d in metric["Dimensions"]}
            if dims.get("Phase") == str(phase) and dims.get("Service"):
                found.add(dims["Service"])
    return sorted(found) or ["api"]


def fleets(
    kind: FleetKind,
    *,
    stack: str,
    inventory: Inventory,
    services: list[str],
    target_groups: dict[str, Dims],
) -> list[tuple[str, Dims]]:
    """(fleet label, dimensions) of every fleet an item of ``kind`` is measured on."""
    if kind == "service":
        return [
            (
                service,
                [
                    {"Name": "Stack", "Value": stack},
                    {"Name": "Service", "Value": service},
                    {"Name": "Phase", "Value": str(inventory.phase)},
                ],
            )
            for service in services
        ]
    if kind == "asg":
        return [(g, [{"Name": "AutoScalingGroupName", "Value": g}]) for g in inventory.asg_types]
    if kind in ("database", "replica"):
        ids = inventory.db_primaries if kind == "database" else inventory.db_replicas
        return [(i, [{"Name": "DBInstanceIdentifier", "Value": i}]) for i in sorted(ids)]
    if kind == "cache":
        return [
            (group, [{"Name": "CacheClusterId", "Value": cache_node_id(group)}])
            for group in sorted(inventory.cache_groups)
        ]
    return sorted(target_groups.items())


def target_group_dimensions(elbv2: Any, arns: list[str]) -> dict[str, Dims]:
    """Target group name -> its ALB metric dimensions (TargetGroup and LoadBalancer)."""
    found: dict[str, Dims] = {}
    if not arns:
        return found
    for group in elbv2.describe_target_groups(TargetGroupArns=arns)["TargetGroups"]:
        balancers = group.get("LoadBalancerArns") or [""]
        found[group["TargetGroupName"]] = [
            {"Name": "TargetGroup", "Value": _arn_suffix(group["TargetGroupArn"], "targetgroup")},
            {"Name": "LoadBalancer", "Value": _arn_suffix(balancers[0], "loadbalancer")},
        ]
    return found


def statistic(
    cloudwatch: Any, namespace: str, metric: str, dims: Dims, stat: str, start: datetime,
    end: datetime,
) -> float | None:  # fmt: skip
    """One figure for the whole window (None: no data)."""
    period = max(60, int((end - start).total_seconds()) // 60 * 60)
    percentile = stat.startswith("p")
    kind = {"ExtendedStatistics": [stat]} if percentile else {"Statistics": [stat]}
    points = cloudwatch.get_metric_statistics(
        Namespace=namespace,
        MetricName=metric,
        Dimensions=dims,
        StartTime=start,
        EndTime=end,
        Period=period,
        **kind,
    )["Datapoints"]
    values = [
        float(p["ExtendedStatistics"][stat]) if percentile else float(p[stat])
        for p in points
        if (stat in p.get("ExtendedStatistics", {}) if percentile else stat in p)
    ]
    if not values:
        return None
    if stat == "Sum":
        return sum(values)
    if stat == "Average":
        return sum(values) / len(values)
    return max(values)  # Maximum, percentiles (one period: one value)


def measure(
    item: SeedItem, read: Callable[[str, str], float | None], seconds: int
) -> tuple[float | None, str]:
    """The item's value from ``read(metric, stat)``, and why it is missing if it is."""
    value = read(item.metric, item.stat)
    if item.formula == "stat":
        return (value, "" if value is not None else "no data")
    if item.formula == "per_second":
        return (None, "no data") if value is None else (value / seconds, "")
    denominators = [read(name, "Sum") for name in item.denominator]
    if value is None or any(d is None for d in denominators):
        return None, "no data"
    total = sum(d for d in denominators if d is not None)
    return (None, "no traffic") if total == 0 else (100.0 * value / total, "")


def build_report(
    *,
    stack: str,
    inventory: Inventory,
    cloudwatch: Any,
    elbv2: Any,
    seconds: int,
    now: datetime | None = None,
) -> list[Row]:
    # Up to the next whole minute: the last partial minute's data counts (CloudWatch keeps
    # 1-minute periods; an end inside a minute would drop what was published in it).
    moment = now or datetime.now(UTC)
    end = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
    start = end - timedelta(seconds=seconds)
    services = app_services(cloudwatch, stack, inventory.phase)
    target_groups = target_group_dimensions(elbv2, inventory.target_groups)
    rows: list[Row] = []
    for item in SEED_ITEMS:
        found = fleets(
            item.kind,
            stack=stack,
            inventory=inventory,
            services=services,
            target_groups=target_groups,
        )
        source = f"{item.namespace} {item.metric} {item.stat}"
        if not found:
            rows.append(Row(item.group, item.label, "-", None, item.unit, source, "no such fleet"))
            continue
        for fleet, dims in found:

            def read(
                metric: str, stat: str, dims: Dims = dims, namespace: str = item.namespace
            ) -> float | None:
                return statistic(cloudwatch, namespace, metric, dims, stat, start, end)

            value, missing = measure(item, read, seconds)
            rows.append(Row(item.group, item.label, fleet, value, item.unit, source, missing))
    return rows
