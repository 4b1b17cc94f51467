"""Plans for people: a summary table and markdown, built from a Plan only."""

from __future__ import annotations

from collections import Counter
from typing import Any

from infra.plan.inputs import lookup
from infra.plan.model import Plan, PlannedResource
from infra.plan.types import facts
from infra.settings import phase_profiles


def shown_inputs(token: str) -> tuple[str, ...] | None:
    """The inputs the catalogue shows for a type (wire names); None: not in plan tables."""
    found = facts(token)
    return found.show if found is not None else None


def key_settings(resource: PlannedResource) -> str:
    """``key=value`` pairs of the type's notable inputs."""
    pairs = []
    for key in shown_inputs(resource.type) or ():
        value = lookup(resource.inputs, key)
        if value is not None:
            shown = ",".join(map(str, value)) if isinstance(value, list) else value
            pairs.append(f"{key.split('.')[-1] if key.count('.') > 1 else key}={shown}")
    return " ".join(pairs)


def type_counts(plan: Plan) -> list[tuple[str, int]]:
    counts = Counter(r.type for r in plan.custom_resources())
    return sorted(counts.items())


def plan_summary(plan: Plan) -> dict[str, Any]:
    """Counts and the phase's sizing, for the headline of every view."""
    profile = phase_profiles()[plan.phase]
    custom = plan.custom_resources()
    return {
        "stack": plan.stack,
        "phase": plan.phase,
        "phaseName": profile["name"],
        "capacity": profile["capacity"],
        "resources": len(custom),
        "components": len(plan.resources) - len(custom),
        "protected": sum(1 for r in custom if r.protect),
    }


def plan_markdown(plan: Plan) -> str:
    """The plan for people: a headline, counts by type and the notable resources."""
    summary = plan_summary(plan)
    capacity = summary["capacity"]
    lines = [
        f"## Plan of stack `{plan.stack}`: phase {plan.phase} ({summary['phaseName']})",
        "",
        f"{summary['resources']} resources ({summary['protected']} protected) in "
        f"{summary['components']} components; sized for {capacity['users']} users, "
        f"{capacity['requestsPerSecond']} requests/s.",
        "",
        "| type | count |",
        "|---|---:|",
    ]
    lines += [f"| `{typ}` | {count} |" for typ, count in type_counts(plan)]
    lines += ["", "| resource | type | settings | protected |", "|---|---|---|---|"]
    for resource in plan.custom_resources():
        if shown_inputs(resource.type) is not None:
            lines.append(
                f"| `{resource.name}` | `{resource.type.split(':')[-1]}` | "
                f"{key_settings(resource)} | {'yes' if resource.protect else ''} |"
            )
    if plan.outputs:
        lines += ["", "| output | value |", "|---|---|"]
        lines += [f"| `{k}` | `{v}` |" for k, v in sorted(plan.outputs.items())]
    return "\n".join(lines) + "\n"
