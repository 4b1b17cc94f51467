"""Which commitment fits what ran steadily (pure): ``gm-infra rightsize --days N``.

Steady = instances present in every hour of the window (an ASG's lowest hourly
``GroupInServiceInstances``; a database that reported CPU every hour). A commitment is
paid whether used or not, so only what ran through (nearly) every hour is suggested.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

MIN_COVERAGE = 0.9  # data for fewer hours than this is not evidence of steady use
THREE_YEAR_DAYS = 90  # a 3-year term is suggested only after a quarter of steady use


@dataclass(frozen=True)
class CommitmentAdvice:
    kind: str  # asg, rds
    target: str
    instance_type: str
    steady: int  # instances that ran every hour
    coverage: float  # share of the window's hours with data
    term: str  # none, 1yr, 3yr
    reason: str

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["coverage"] = round(self.coverage, 3)
        return data


def advise(
    kind: str, target: str, instance_type: str, hourly_counts: list[float], days: int
) -> CommitmentAdvice:
    """``hourly_counts``: instances running in each hour that has data."""
    hours = days * 24
    coverage = min(len(hourly_counts) / hours, 1.0) if hours else 0.0
    steady = int(min(hourly_counts)) if hourly_counts else 0
    if coverage < MIN_COVERAGE:
        why = f"data for {coverage:.0%} of {hours} hours: not enough to call it steady"
        return CommitmentAdvice(kind, target, instance_type, steady, coverage, "none", why)
    if steady == 0:
        why = "some hours ran nothing: no steady part"
        return CommitmentAdvice(kind, target, instance_type, 0, coverage, "none", why)
    term = "3yr" if days >= THREE_YEAR_DAYS else "1yr"
    why = f"{steady} x {instance_type} ran every hour for {days} days"
    return CommitmentAdvice(kind, target, instance_type, steady, coverage, term, why)
