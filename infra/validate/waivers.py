"""Waivers: one YAML file, each entry a tool, a rule, the resources and a reason.

A waiver that names resources present in the plan but matches none of their findings is
stale, and a stale waiver is itself an error: the thing it excused has been fixed (or
renamed), so the waiver must go. A waiver whose resources are not in the plan at all, or
whose ``phases`` leave the plan's phase out, is out of scope for that stack (phase 1 has no
VPC Lattice); the tests check that every waiver is used by at least one of phases 1-4.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import yaml

from infra.errors import BadInputError
from infra.plan.model import Plan
from infra.validate.model import ERROR, JUDGE_TOOLS, Finding

DEFAULT_FILE = Path(__file__).with_name("waivers.yaml")
HINT = (
    "each entry needs tool (cfn-lint, checkov, gm-limits, parliament or cloudsplaining), rule, "
    "resource (a name or URN "
    "glob) and a non-empty reason; message (a glob) and phases (a list of 1-4) are optional"
)


@dataclass(frozen=True)
class Waiver:
    tool: str
    rule: str
    resource: str
    reason: str
    message: str = "*"
    phases: tuple[int, ...] = ()  # only plans of these phases (all when empty)

    def matches(self, finding: Finding) -> bool:
        return (
            finding.tool == self.tool
            and fnmatchcase(finding.rule, self.rule)
            and fnmatchcase(finding.message, self.message)
            and self.names(finding.name, finding.urn)
        )

    def names(self, name: str, urn: str) -> bool:
        return fnmatchcase(name, self.resource) or fnmatchcase(urn, self.resource)

    def in_phase(self, phase: int) -> bool:
        return not self.phases or phase in self.phases

    def describe(self) -> str:
        return f"{self.tool} {self.rule} on {self.resource}"


def parse_waivers(entries: Any, source: str) -> list[Waiver]:
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise BadInputError(f"{source}: waivers must be a list", HINT)
    parsed = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise BadInputError(f"{source}: waiver {number} is not a mapping", HINT)
        values = {
            k: str(entry.get(k) or "").strip() for k in ("tool", "rule", "resource", "reason")
        }
        missing = [k for k, v in values.items() if not v]
        if missing:
            raise BadInputError(f"{source}: waiver {number} lacks {', '.join(missing)}", HINT)
        if values["tool"] not in JUDGE_TOOLS:
            raise BadInputError(
                f"{source}: waiver {number} names unknown tool {values['tool']!r}", HINT
            )
        phases = entry.get("phases") or []
        if not isinstance(phases, list) or not all(p in (1, 2, 3, 4) for p in phases):
            raise BadInputError(f"{source}: waiver {number} phases must be a list of 1-4", HINT)
        message = str(entry.get("message") or "*")
        parsed.append(Waiver(**values, message=message, phases=tuple(phases)))
    return parsed


def load_waivers(path: Path) -> list[Waiver]:
    try:
        data = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise BadInputError(f"waiver file {path} does not exist") from None
    except yaml.YAMLError as error:
        raise BadInputError(f"waiver file {path} is not YAML ({error})", HINT) from None
    entries = data.get("waivers") if isinstance(data, dict) else data
    return parse_waivers(entries, str(path))


def apply_waivers(findings: list[Finding], waivers: list[Waiver], plan: Plan) -> list[Finding]:
    """Findings with matching waivers applied, plus an error for every stale waiver."""
    waivers = [w for w in waivers if w.in_phase(plan.phase)]
    used: set[int] = set()
    out = []
    for finding in findings:
        hit = next((n for n, w in enumerate(waivers) if w.matches(finding)), None)
        if hit is None:
            out.append(finding)
        else:
            used.add(hit)
            out.append(finding.waive(waivers[hit].reason))
    for number, waiver in enumerate(waivers):
        in_scope = any(waiver.names(r.name, r.urn) for r in plan.resources)
        if number not in used and in_scope:
            out.append(
                Finding(
                    tool="waivers",
                    rule="stale-waiver",
                    urn="",
                    name=waiver.resource,
                    type="",
                    severity=ERROR,
                    message=f"waiver {waiver.describe()} matches no finding: remove it",
                )
            )
    return out
