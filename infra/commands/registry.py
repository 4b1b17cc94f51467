"""The list of command modules the gm-infra root mounts, in help order."""

from __future__ import annotations

import typer

from infra.commands import plan
from infra.commands import policy
from infra.commands import render


def register_all(app: typer.Typer) -> None:
    """Mount every command module on the root app."""
    plan.register(app)
    policy.register(app)
    render.register(app)
