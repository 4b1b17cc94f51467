"""One check's outcome, shared by preflight and verify."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

# "pending": AWS accepted a change it applies later (the maintenance window); not a failure.
Status = Literal["ok", "fail", "not-emulated", "no-data", "pending"]


@dataclass(frozen=True)
class CheckResult:
    check: str
    target: str
    status: Status
    detail: str

    @property
    def failed(self) -> bool:
        return self.status == "fail"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def failures(results: list[CheckResult]) -> list[CheckResult]:
    return [r for r in results if r.failed]
