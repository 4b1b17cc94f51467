"""Plan diffs for people: terminal text and the pull-request comment."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from infra.cost.compare import CostComparison
from infra.cost.report import comparison_markdown, money
from infra.diff.model import PlanDiff, ResourceChange
from infra.policy.model import PolicyResult
from infra.policy.report import policy_markdown
from infra.validate.model import ValidationResult
from infra.validate.report import validate_markdown

COMMENT_MARKER = "<!-- gm-infra-preview -->"
SYMBOL = {"add": "+", "remove": "-", "update": "~", "replace": "±"}


def headline(diff: PlanDiff, cost: CostComparison | None = None) -> str:
    text = (
        f"{len(diff.added)} to add, {len(diff.changed)} to change "
        f"({len(diff.replaced)} replaced), {len(diff.removed)} to remove"
    )
    if cost is not None:
        text += (
            f" · monthly cost {money(cost.delta, signed=True)} "
            f"({money(cost.before.total)} → {money(cost.after.total)})"
        )
    return text


def _short(value: Any, limit: int = 60) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def diff_text(diff: PlanDiff) -> str:
    lines = [f"{diff.before} -> {diff.after}: {headline(diff)}"]
    for change in diff.warnings:
        lines.append(f"WARNING {change.name} ({change.type}) {change.warning}")
    for change in diff.added + diff.removed + diff.changed:
        lines.append(f"  {SYMBOL[change.action]} {change.name} ({change.type})")
        for prop in change.properties:
            mark = " (forces replacement)" if prop.replaces else ""
            lines.append(f"      {prop.path}: {_short(prop.before)} -> {_short(prop.after)}{mark}")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _summary_table(diff: PlanDiff) -> list[str]:
    counts: Counter[tuple[str, str]] = Counter()
    for change in diff.added + diff.removed + diff.changed:
        counts[(change.type, change.action)] += 1
    types = sorted({kind for kind, _ in counts})
    lines = ["| type | add | change | replace | remove |", "|---|---:|---:|---:|---:|"]
    for kind in types:
        row = [
            str(counts[(kind, action)] or "") for action in ("add", "update", "replace", "remove")
        ]
        lines.append(f"| `{kind}` | " + " | ".join(row) + " |")
    return lines


def _details(title: str, changes: list[ResourceChange], with_properties: bool) -> list[str]:
    if not changes:
        return []
    lines = [f"<details><summary>{title} ({len(changes)})</summary>", ""]
    for change in changes:
        lines.append(f"- {SYMBOL[change.action]} `{change.name}` ({change.type})")
        if with_properties:
            for prop in change.properties:
                mark = " **(forces replacement)**" if prop.replaces else ""
                lines.append(
                    f"  - `{prop.path}`: `{_cell(_short(prop.before))}` → "
                    f"`{_cell(_short(prop.after))}`{mark}"
                )
    return [*lines, "", "</details>", ""]


def diff_markdown(
    diff: PlanDiff,
    cost: CostComparison | None = None,
    policy: PolicyResult | None = None,
    mermaid: str | None = None,
    validation: ValidationResult | None = None,
) -> str:
    lines = [
        COMMENT_MARKER,
        f"### Infrastructure preview: `{diff.before}` → `{diff.after}`",
        "",
        f"**{headline(diff, cost)}**",
        "",
    ]
    if diff.warnings:
        lines += ["> [!CAUTION]", "> **Stateful resources at risk**"]
        lines += [f"> - `{c.name}` ({c.type}) {c.warning}" for c in diff.warnings]
        lines.append("")
    if diff.empty:
        lines += ["No resource changes.", ""]
    else:
        lines += [*_summary_table(diff), ""]
        lines += _details("Changed resources", diff.changed, with_properties=True)
        lines += _details("Added resources", diff.added, with_properties=False)
        lines += _details("Removed resources", diff.removed, with_properties=False)
    if policy is not None:
        lines += ["#### Policy", "", policy_markdown(policy)]
    if validation is not None:
        lines += [
            "#### AWS validity (cfn-lint, checkov, limits)",
            "",
            validate_markdown(validation),
        ]
    if cost is not None:
        lines += [
            "#### Cost",
            "",
            "<details><summary>Per-resource cost changes</summary>",
            "",
            comparison_markdown(cost),
            "</details>",
            "",
        ]
    if mermaid:
        lines += [
            "#### Topology after the change",
            "",
            "<details><summary>Diagram</summary>",
            "",
            "```mermaid",
            mermaid.rstrip(),
            "```",
            "",
            "</details>",
            "",
        ]
    return "\n".join(lines)
