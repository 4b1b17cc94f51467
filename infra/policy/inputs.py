"""Reading Pulumi wire-named inputs: dotted paths, booleans and port ranges."""

from __future__ import annotations

from typing import Any

ANYWHERE = frozenset({"0.0.0.0/0", "::/0"})


def lookup(inputs: dict[str, Any], path: str, default: Any = None) -> Any:
    """``lookup(i, "metadataOptions.httpTokens")``; a one-item list is looked through."""
    value: Any = inputs
    for key in path.split("."):
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        if not isinstance(value, dict) or key not in value:
            return default
        value = value[key]
    return value


def is_true(value: Any) -> bool:
    """True only for an explicit true (``True`` or the string ``"true"``)."""
    return value is True or (isinstance(value, str) and value.lower() == "true")


def as_int(value: Any, default: int = 0) -> int:
    """An int from an int or numeric string; ``default`` otherwise."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def as_list(value: Any) -> list[Any]:
    """A list from a list, a single value or nothing."""
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]
