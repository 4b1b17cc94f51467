"""What a judge reports (a finding) and what a validation run produces."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

ERROR = "error"
WARNING = "warning"
INFO = "info"

# The judges, then "waivers" (stale waivers); plus "quotas" with --live.
JUDGE_TOOLS = ("cfn-lint", "checkov", "gm-limits", "parliament", "cloudsplaining")
TOOLS = (*JUDGE_TOOLS, "waivers")


@dataclass(frozen=True)
class Finding:
    """One judgement on one Plan resource (``urn`` empty when it concerns the whole plan)."""

    tool: str
    rule: str
    urn: str
    name: str
    type: str
    severity: str
    message: str
    waived: bool = False
    reason: str = ""

    def waive(self, reason: str) -> Finding:
        return replace(self, waived=True, reason=reason)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ValidationResult:
    stack: str
    region: str
    findings: list[Finding]
    timings: dict[str, float] = field(default_factory=dict)
    # judges that did not run (checkov not installed, or not chosen): a pass is not theirs
    skipped: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not any(f.severity == ERROR and not f.waived for f in self.findings)

    def unwaived(self) -> list[Finding]:
        return [f for f in self.findings if not f.waived]

    def counts(self) -> dict[str, dict[str, int]]:
        """Per tool: unwaived errors, warnings and infos, and waived findings."""
        out = {tool: {ERROR: 0, WARNING: 0, INFO: 0, "waived": 0} for tool in TOOLS}
        for finding in self.findings:
            row = out.setdefault(finding.tool, {ERROR: 0, WARNING: 0, INFO: 0, "waived": 0})
            row["waived" if finding.waived else finding.severity] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        """Exactly ``{"ok": bool, "findings": [...], "passed": bool, "skipped": [...]}`` (the
        documented JSON; ``ok`` is every verdict's key, ``passed`` kept for existing readers,
        ``skipped`` the judges that did not run)."""
        return {
            "ok": self.passed,
            "findings": [f.to_dict() for f in self.findings],
            "passed": self.passed,
            "skipped": self.skipped,
        }
