"""Plan diffs for people: terminal text and the markdown pieces of a pull-request comment
(the comment itself is assembled in ``infra/pr_comment.py``)."""

from __future__ import annotations

from collections import Counter

from infra.diff.model import PlanDiff, ResourceChange
from infra.plan.markdown import cell, short

SYMBOL = {"add": "+", "remove": "-", "update": "~", "replace": "±"}


def headline(diff: PlanDiff) -> str:
    return (
        f"{len(diff.added)} to add, {len(diff.changed)} to change "
        f"({len(diff.replaced)} replaced), {len(diff.removed)} to remove"
    )


def diff_text(diff: PlanDiff) -> str:
    lines = [f"{diff.before} -> {diff.after}: {headline(diff)}"]
    for change in diff.warnings:
        lines.append(f"WARNING {change.name} ({change.type}) {change.warning}")
    for change in diff.added + diff.removed + diff.changed:
        lines.append(f"  {SYMBOL[change.action]} {change.name} ({change.type})")
        for prop in change.properties:
            mark = " (forces replacement)" if prop.replaces else ""
            lines.append(f"      {prop.path}: {short(prop.before)} -> {short(prop.after)}{mark}")
    return "\n".join(lines) + "\n"


def stateful_warning(diff: PlanDiff) -> list[str]:
    """The caution block naming stateful resources at risk (empty: none)."""
    if not diff.warnings:
        return []
    lines = ["> [!CAUTION]", "> **Stateful resources at risk**"]
    lines += [f"> - `{c.name}` ({c.type}) {c.warning}" for c in diff.warnings]
    return [*lines, ""]


def summary_table(diff: PlanDiff) -> list[str]:
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


def property_line(path: str, before: object, after: object, replaces: bool) -> str:
    mark = " **(forces replacement)**" if replaces else ""
    return f"  - `{path}`: `{cell(short(before))}` → `{cell(short(after))}`{mark}"


def details(title: str, changes: list[ResourceChange], with_properties: bool) -> list[str]:
    """A collapsible list of changes, with the properties that changed if asked."""
    if not changes:
        return []
    lines = [f"<details><summary>{title} ({len(changes)})</summary>", ""]
    for change in changes:
        lines.append(f"- {SYMBOL[change.action]} `{change.name}` ({change.type})")
        if with_properties:
            lines += [
                property_line(p.path, p.before, p.after, p.replaces) for p in change.properties
            ]
    return [*lines, "", "</details>", ""]
