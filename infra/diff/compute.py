"""Diff two plans: match resources by URN (stack left out), compare inputs path by path."""

from __future__ import annotations

from typing import Any

from infra.diff.model import PlanDiff, PropertyChange, ResourceChange
from infra.plan.match import resource_key
from infra.plan.model import Plan, PlannedResource
from infra.plan.types import forces_replacement, is_stateful

STACK_MARK = "{stack}"


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """``{"a": {"b": [1, {"c": 2}]}}`` -> ``{"a.b[0]": 1, "a.b[1].c": 2}``."""
    if isinstance(value, dict):
        if not value and prefix:
            return {prefix: {}}
        flat: dict[str, Any] = {}
        for key in sorted(value):
            flat.update(flatten(value[key], f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(value, list):
        if not value:
            return {prefix: []}
        flat = {}
        for index, item in enumerate(value):
            flat.update(flatten(item, f"{prefix}[{index}]"))
        return flat
    return {prefix: value}


def _unstack(value: Any, stack: str) -> Any:
    """Stack names inside values (identifiers, comments) compared as ``{stack}``."""
    if isinstance(value, str) and stack:
        return value.replace(stack, STACK_MARK)
    return value


def property_changes(
    before: PlannedResource, after: PlannedResource, before_stack: str, after_stack: str
) -> list[PropertyChange]:
    old = {k: _unstack(v, before_stack) for k, v in flatten(before.inputs).items()}
    new = {k: _unstack(v, after_stack) for k, v in flatten(after.inputs).items()}
    changes = []
    for path in sorted(old.keys() | new.keys()):
        was, now = old.get(path), new.get(path)
        if was != now:
            changes.append(PropertyChange(path, was, now, forces_replacement(after.type, path)))
    if before.protect != after.protect:
        changes.append(PropertyChange("(protect)", before.protect, after.protect))
    return changes


def diff_plans(before: Plan, after: Plan) -> PlanDiff:
    same_stack = before.stack == after.stack
    old_stack, new_stack = ("", "") if same_stack else (before.stack, after.stack)
    old = {_unstack(resource_key(r.urn), old_stack): r for r in before.custom_resources()}
    new = {_unstack(resource_key(r.urn), new_stack): r for r in after.custom_resources()}
    added, removed, changed = [], [], []
    for key in sorted(new.keys() - old.keys()):
        r = new[key]
        added.append(ResourceChange("add", r.urn, r.type, r.name, is_stateful(r.type)))
    for key in sorted(old.keys() - new.keys()):
        r = old[key]
        warning = None
        if is_stateful(r.type) or r.protect:
            warning = "DELETES a stateful resource: its data goes with it"
            moved = [n for n in new.values() if n.type == r.type and n.name == r.name]
            if moved:
                warning = (
                    "is REPLACED: its URN changes (parent or type) without an alias, "
                    "so Pulumi deletes it and creates a new, empty one"
                )
        removed.append(
            ResourceChange("remove", r.urn, r.type, r.name, is_stateful(r.type), warning=warning)
        )
    for key in sorted(old.keys() & new.keys()):
        props = property_changes(old[key], new[key], old_stack, new_stack)
        if not props:
            continue
        r = new[key]
        replacing = [p.path for p in props if p.replaces]
        action = "replace" if replacing else "update"
        warning = None
        if replacing and (is_stateful(r.type) or r.protect):
            warning = f"is REPLACED (new, empty resource) because {', '.join(replacing)} change"
        changed.append(
            ResourceChange(action, r.urn, r.type, r.name, is_stateful(r.type), props, warning)
        )
    return PlanDiff(before.stack, after.stack, added, removed, changed)
