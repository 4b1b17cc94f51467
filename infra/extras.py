"""Optional parts of the install, by role: a command that needs one says which to install.

The base install is the infrastructure toolkit. ``app`` adds the bundled FastAPI app,
``ai`` the embedding model (torch CPU), ``local`` the AWS emulator, ``dev`` the tests.
"""

from __future__ import annotations

import importlib.util
from typing import Literal

from infra.errors import GmError

Extra = Literal["app", "local"]  # the app reports a missing ``ai`` itself (503 on match)
DISTRIBUTION = "green-matchers-infra"

# The top-level modules each extra provides (those gm-infra itself imports).
MODULES: dict[Extra, tuple[str, ...]] = {
    "app": ("fastapi", "uvicorn", "sqlalchemy", "pydantic_settings", "redis", "numpy"),
    "local": ("moto",),
}


def install_command(extra: str) -> str:
    return f"pip install '{DISTRIBUTION}[{extra}]'"


def missing_modules(extra: Extra) -> list[str]:
    """The extra's modules this Python cannot import (no import is run)."""
    return [name for name in MODULES[extra] if importlib.util.find_spec(name) is None]


def require_extra(extra: Extra, needed_by: str) -> None:
    """GmError (exit 2) in one line naming the extra when any of its modules is missing."""
    missing = missing_modules(extra)
    if missing:
        raise GmError(
            f"{needed_by} needs the '{extra}' extra ({', '.join(missing)} not installed): "
            f"{install_command(extra)}"
        )
