"""Explicit suppressions: a rule, the resources it does not apply to, and why."""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import yaml

from infra.errors import BadInputError
from infra.plan.model import PlannedResource

DEFAULT_FILE = Path(__file__).with_name("suppressions.yaml")
HINT = "each entry needs rule, resource (a name or URN glob) and a non-empty reason"


@dataclass(frozen=True)
class Suppression:
    rule: str
    resource: str
    reason: str
    message: str = "*"  # narrows the waiver to violations whose message matches this glob

    def matches(self, rule_id: str, resource: PlannedResource, message: str = "") -> bool:
        if not fnmatchcase(rule_id, self.rule) or not fnmatchcase(message, self.message):
            return False
        return fnmatchcase(resource.name, self.resource) or fnmatchcase(resource.urn, self.resource)


def parse_suppressions(entries: Any, source: str, known_rules: set[str]) -> list[Suppression]:
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise BadInputError(f"{source}: suppressions must be a list", HINT)
    parsed = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise BadInputError(f"{source}: suppression {number} is not a mapping", HINT)
        rule = str(entry.get("rule", "")).strip()
        resource = str(entry.get("resource", "")).strip()
        reason = str(entry.get("reason") or "").strip()
        if not rule or not resource or not reason:
            raise BadInputError(
                f"{source}: suppression {number} lacks rule, resource or reason", HINT
            )
        if not any(fnmatchcase(known, rule) for known in known_rules):
            raise BadInputError(
                f"{source}: suppression {number} names unknown rule {rule!r}",
                f"known rules: {', '.join(sorted(known_rules))}",
            )
        message = str(entry.get("message") or "*")
        parsed.append(Suppression(rule, resource, reason, message))
    return parsed


def load_suppressions(path: Path, known_rules: set[str]) -> list[Suppression]:
    try:
        data = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise BadInputError(f"suppression file {path} does not exist") from None
    except yaml.YAMLError as error:
        raise BadInputError(f"suppression file {path} is not YAML ({error})", HINT) from None
    entries = data.get("suppressions") if isinstance(data, dict) else data
    return parse_suppressions(entries, str(path), known_rules)
