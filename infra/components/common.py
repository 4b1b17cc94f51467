"""Small helpers every component uses: tags and child resource options."""

from __future__ import annotations

from typing import Protocol

import pulumi


class Tagged(Protocol):
    """What tags are made from: ``StackTags``, which every component's Args carries (or the
    whole ``Settings``, which also has a project and a stack)."""

    @property
    def project(self) -> str: ...

    @property
    def stack(self) -> str: ...


def tags(owner: Tagged, name: str, **extra: str) -> dict[str, str]:
    """Tags for one resource. No phase tag: a promotion should not touch every resource."""
    return {
        "Name": name,
        "Project": owner.project,
        "Stack": owner.stack,
        "ManagedBy": "pulumi",
        **extra,
    }


def child(
    parent: pulumi.Resource, *, protect: bool = False, **kwargs: object
) -> pulumi.ResourceOptions:
    """Options for a resource parented to a component (stateful ones are protected)."""
    return pulumi.ResourceOptions(parent=parent, protect=protect, **kwargs)  # type: ignore[arg-type]
