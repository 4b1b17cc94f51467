"""Every rule the policy runs, in report order."""

from __future__ import annotations

from infra.policy.model import Rule
from infra.policy.rules import compute, database, edge, lattice, load_balancer, network

ALL_RULES: tuple[Rule, ...] = (
    *database.RULES,
    *load_balancer.RULES,
    *compute.RULES,
    *network.RULES,
    *edge.RULES,
    *lattice.RULES,
)


def rule_ids() -> list[str]:
    return [rule.id for rule in ALL_RULES]
