"""Right-sizing maths (pure): instance-type ladders and hourly CPU statistics.

The source document: average CPU under 20% suggests the next smaller type, over 80% the
next larger one, from hourly CloudWatch statistics.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

DOWNSIZE_BELOW = 20.0
UPSIZE_ABOVE = 80.0
SIZES = (
    "nano",
    "micro",
    "small",
    "medium",
    "large",
    "xlarge",
    "2xlarge",
    "4xlarge",
    "8xlarge",
    "12xlarge",
    "16xlarge",
    "24xlarge",
)
# Burstable families run from nano (EC2) or micro (RDS, ElastiCache) to 2xlarge; the
# others start at large: there is no m6i.medium or db.r6g.medium to step down to.
LARGEST = {"t3": "2xlarge", "t3a": "2xlarge", "t4g": "2xlarge"}

Verdict = Literal["down", "up", "keep", "no-data"]


@dataclass(frozen=True)
class CpuStats:
    hours: int
    average: float | None
    peak: float | None


@dataclass(frozen=True)
class Suggestion:
    kind: str  # "asg" or "rds"
    target: str
    current: str
    suggested: str | None
    verdict: Verdict
    average: float | None
    peak: float | None
    hours: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def split_type(instance_type: str) -> tuple[str, str]:
    """``db.r6g.large`` -> (``db.r6g``, ``large``); ``t3.medium`` -> (``t3``, ``medium``)."""
    family, _, size = instance_type.rpartition(".")
    return family, size


def neighbour(instance_type: str, step: int) -> str | None:
    """The next size in the same family (step -1 smaller, +1 larger); None at either end."""
    family, size = split_type(instance_type)
    if size not in SIZES:
        return None
    index = SIZES.index(size) + step
    base = family.rsplit(".", 1)[-1]
    if base in LARGEST:
        smallest = SIZES.index("micro") if family.startswith(("db.", "cache.")) else 0
    else:
        smallest = SIZES.index("large")
    largest = SIZES.index(LARGEST.get(base, SIZES[-1]))
    if not smallest <= index <= largest:
        return None
    return f"{family}.{SIZES[index]}"


def hourly_stats(datapoints: list[dict[str, Any]]) -> CpuStats:
    """Average of hourly averages and the highest hourly maximum."""
    averages = [float(p["Average"]) for p in datapoints if "Average" in p]
    peaks = [float(p["Maximum"]) for p in datapoints if "Maximum" in p]
    return CpuStats(
        hours=len(datapoints),
        average=round(sum(averages) / len(averages), 2) if averages else None,
        peak=round(max(peaks), 2) if peaks else None,
    )


def verdict(stats: CpuStats) -> Verdict:
    if stats.average is None:
        return "no-data"
    if stats.average < DOWNSIZE_BELOW:
        return "down"
    if stats.average > UPSIZE_ABOVE:
        return "up"
    return "keep"


def suggest(kind: str, target: str, current: str, stats: CpuStats) -> Suggestion:
    decided = verdict(stats)
    suggested = None
    if decided == "down":
        suggested = neighbour(current, -1)
    elif decided == "up":
        suggested = neighbour(current, +1)
    return Suggestion(
        kind, target, current, suggested, decided, stats.average, stats.peak, stats.hours
    )


def config_section(logical_name: str) -> str | None:
    """The stack-config section an ASG or database is sized by."""
    if logical_name.startswith("gm-api"):
        return "api"
    if logical_name.startswith("gm-worker"):
        return "workers"
    if logical_name.startswith("gm-services"):
        return "services"
    if logical_name.startswith("gm-db"):
        return "database"
    return None


@dataclass(frozen=True)
class SectionChange:
    """What ``rightsize --write`` would set: one stack-config field, and why."""

    section: str  # api, workers, services, database
    field: str  # instanceType or instanceClass
    current: str
    suggested: str | None  # None: nothing is written for this section
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def section_changes(suggestions: list[Suggestion], logical: dict[str, str]) -> list[SectionChange]:
    """One decision per config section from the suggestions of the instances it sizes.

    A section's setting sizes every instance in it (every writer and replica of every shard
    share ``database.instanceClass``), so it moves only when its instances agree: larger when
    any runs hot and none idles, smaller only when every one idles. Otherwise nothing is
    written and the reason says which disagreed.
    """
    grouped: dict[str, list[Suggestion]] = {}
    for s in suggestions:
        section = config_section(logical.get(s.target, ""))
        if section is not None:
            grouped.setdefault(section, []).append(s)
    decided = []
    for section, members in sorted(grouped.items()):
        field = "instanceClass" if section == "database" else "instanceType"
        current = members[0].current
        ups = [s.target for s in members if s.verdict == "up"]
        downs = [s.target for s in members if s.verdict == "down"]
        others = [s.target for s in members if s.verdict not in ("up", "down")]
        suggested: str | None = None
        if ups and downs:
            reason = f"disagree: {', '.join(ups)} over {UPSIZE_ABOVE:.0f}%, " + (
                f"{', '.join(downs)} under {DOWNSIZE_BELOW:.0f}%"
            )
        elif ups:
            hot = next(s for s in members if s.verdict == "up")
            current = hot.current  # a kept instance out of the plan may be of another size
            suggested = neighbour(current, +1)
            reason = f"{', '.join(ups)} averaged over {UPSIZE_ABOVE:.0f}% CPU"
        elif downs and not others:
            suggested = neighbour(current, -1)
            reason = f"every instance averaged under {DOWNSIZE_BELOW:.0f}% CPU"
        elif downs:
            reason = f"{', '.join(others)} did not idle: kept"
        else:
            reason = "within 20-80% (or no data): kept"
        if (ups or (downs and not others)) and suggested is None:
            reason += f"; {current} is already the end of its family's sizes"
        decided.append(SectionChange(section, field, current, suggested, reason))
    return decided
