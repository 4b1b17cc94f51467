"""What the toolkit knows about one Pulumi resource type (one catalogue entry)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# "priced": a pricer in infra/cost/pricers.py; "free": costs nothing by nature or is paid for
# on another resource's line; "unpriced": billable, but no pricer yet (cost lists it).
Cost = Literal["priced", "free", "unpriced"]


@dataclass(frozen=True)
class TypeFacts:
    """One Pulumi type token and every fact a Plan consumer needs about it.

    ``cloudformation`` is the CloudFormation resource type that renders this resource on
    its own (``AWS::RDS::DBInstance``), for the CloudFormation export that outside judges
    (cfn-lint, checkov) read. ``None`` means no resource of its own: then
    ``cloudformation_note`` says where it goes instead (a property of another resource,
    e.g. ``VersioningConfiguration of AWS::S3::Bucket``) or why it has no equivalent.
    """

    token: str
    cloudformation: str | None
    cost: Cost
    cloudformation_note: str = ""
    # Holds data that a replacement or deletion would lose (diff warns, promotion stops).
    stateful: bool = False
    # Top-level inputs (wire names) whose change makes AWS replace the resource (create-only).
    replace_on: frozenset[str] = field(default_factory=frozenset)
    # Inputs (dotted wire names) shown for the type in plan tables; None: not listed there.
    show: tuple[str, ...] | None = None
    # Diagram: drawn at this tier (traffic flows from lower to higher tiers), with a label.
    tier: int | None = None
    label: str = ""
    # Diagram: plumbing an edge may pass through to join drawn nodes (listener, proxy target).
    connector: bool = False

    @property
    def drawn(self) -> bool:
        return self.tier is not None
