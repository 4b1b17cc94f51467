"""Matching resources across plans: the URN without its stack, so phase1 meets phase2."""

from __future__ import annotations


def resource_key(urn: str) -> str:
    """``urn:pulumi:STACK::PROJECT::TYPE::NAME`` -> ``PROJECT::TYPE::NAME``."""
    head, _, rest = urn.partition("::")
    return rest if head.startswith("urn:pulumi:") else urn
