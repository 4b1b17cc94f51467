"""Small helpers every component uses: tags and child resource options."""

from __future__ import annotations

import pulumi

from infra.settings import Settings


def tags(settings: Settings, name: str, **extra: str) -> dict[str, str]:
    """Tags for one resource. No phase tag: a promotion should not touch every resource."""
    return {
        "Name": name,
        "Project": settings.project,
        "Stack": settings.stack,
        "ManagedBy": "pulumi",
        **extra,
    }


def child(
    parent: pulumi.Resource, *, protect: bool = False, **kwargs: object
) -> pulumi.ResourceOptions:
    """Options for a resource parented to a component (stateful ones are protected)."""
    return pulumi.ResourceOptions(parent=parent, protect=protect, **kwargs)  # type: ignore[arg-type]
