"""The list of command modules the gm-infra root mounts, in help order."""

from __future__ import annotations

import typer

from infra.commands import (
    cost,
    diagram,
    diff,
    docs,
    export,
    local,
    metrics,
    phase,
    plan,
    policy,
    preview,
    rehearse,
    render,
    rightsize,
    unlock,
    validate,
    verify,
)


def register_all(app: typer.Typer) -> None:
    """Mount every command module on the root app."""
    plan.register(app)
    diff.register(app)
    cost.register(app)
    policy.register(app)
    validate.register(app)
    export.register(app)
    diagram.register(app)
    preview.register(app)
    render.register(app)
    phase.register(app)
    verify.register(app)
    rightsize.register(app)
    metrics.register(app)
    local.register(app)
    rehearse.register(app)
    unlock.register(app)
    docs.register(app)
