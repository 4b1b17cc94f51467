"""Map the plan's fake output values (from the mocks) to the emulator's real ones.

A plan input that holds another resource's output carries the mock's deterministic value
(``gm-network-vpc-id``, ``arn:aws:...``). Each deployed resource yields a table
``fake -> real`` from its fake outputs and the outputs the emulator returned; a dependent's
inputs are rewritten through the tables of its dependencies before any boto3 call.
"""

from __future__ import annotations

from typing import Any

from infra.plan.model import SECRET

# Fake values at least this long that look like ARNs or host names are also replaced
# inside longer strings (policy documents, dashboard bodies).
_EMBEDDED_MIN = 20
_SKIP_KEYS = frozenset({"tags", "tagsAll"})


def substitutions(fake: Any, real: Any) -> dict[str, str]:
    """Pairs of (fake, real) strings found at the same place in both output trees."""
    table: dict[str, str] = {}
    if isinstance(fake, dict) and isinstance(real, dict):
        for key, value in fake.items():
            if key in _SKIP_KEYS or key not in real:
                continue
            table.update(substitutions(value, real[key]))
    elif isinstance(fake, list) and isinstance(real, list):
        for fake_item, real_item in zip(fake, real, strict=False):
            table.update(substitutions(fake_item, real_item))
    elif (
        isinstance(fake, str)
        and isinstance(real, str | int | float)
        and fake not in ("", SECRET, str(real))
    ):
        table[fake] = str(real)
    return table


def resolve(value: Any, table: dict[str, str]) -> Any:
    """``value`` with every fake string replaced by its real counterpart."""
    if isinstance(value, dict):
        return {k: (v if k in _SKIP_KEYS else resolve(v, table)) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, table) for v in value]
    if isinstance(value, str):
        if value in table:
            return table[value]
        for fake, real in table.items():
            if len(fake) >= _EMBEDDED_MIN and (":" in fake or "." in fake) and fake in value:
                value = value.replace(fake, real)
        return value
    return value


def unresolved(value: Any, fakes: set[str]) -> list[str]:
    """Fake values still present (a reference the engine could not map)."""
    if isinstance(value, dict):
        return [f for k, v in value.items() if k not in _SKIP_KEYS for f in unresolved(v, fakes)]
    if isinstance(value, list):
        return [f for v in value for f in unresolved(v, fakes)]
    return [value] if isinstance(value, str) and value in fakes else []
