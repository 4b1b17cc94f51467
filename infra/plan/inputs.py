"""Reading a planned resource's inputs (Pulumi wire names): the one way every Plan consumer
does it — the policy rules, cost, quotas, the diagram, the plan tables and the local engine's
handlers.

The plan holds JSON as Pulumi serialised it: numbers may arrive as ``3``, ``3.0`` or ``"3"``
and booleans as ``true`` or ``"true"``, so every reader converts here rather than guessing.
"""

from __future__ import annotations

from typing import Any

ANYWHERE = frozenset({"0.0.0.0/0", "::/0"})


def lookup(inputs: dict[str, Any], path: str, default: Any = None) -> Any:
    """The value at a dotted path, ``default`` when any step is absent.

    ``"metadataOptions.httpTokens"``: keys into nested dicts; a one-item list on the way is
    looked through (Pulumi wraps some single blocks in a list). ``"conditions.0.pathPattern"``:
    a number picks that item of a list.
    """
    value: Any = inputs
    for key in path.split("."):
        if isinstance(value, list):
            if key.isdigit():
                if int(key) >= len(value):
                    return default
                value = value[int(key)]
                continue
            if len(value) == 1:
                value = value[0]
        if not isinstance(value, dict) or key not in value:
            return default
        value = value[key]
    return value


def as_bool(value: Any) -> bool:
    """A boolean from ``True``/``False`` or the strings ``"true"``/``"false"`` (any case);
    anything else by its truthiness (None, "", 0: False)."""
    if isinstance(value, str):
        return value.lower() == "true"
    return bool(value)


def integer(value: Any) -> int:
    """An int from an int, a float (truncated) or a numeric string (``"3"``, ``"3.0"``);
    a ValueError or TypeError for anything else. The engine uses this: bad input must fail."""
    try:
        return int(value)
    except ValueError:
        return int(float(value))


def as_int(value: Any, default: int = 0) -> int:
    """``integer(value)``, or ``default`` when the value is missing or not a number.
    The readers that judge a plan use this: an unknown value is not a crash."""
    try:
        return integer(value)
    except (TypeError, ValueError, OverflowError):
        return default


def as_list(value: Any) -> list[Any]:
    """A list from a list, a single value or nothing."""
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]
