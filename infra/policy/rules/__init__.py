"""Every rule the policy runs, in report order.

One module per concern, named as the components are (``infra/components/``) and the local
engine's handlers (``infra/engines/handlers/``).
"""

from __future__ import annotations

from infra.policy.model import Rule
from infra.policy.rules import (
    cache,
    cdn,
    database,
    fleet,
    iam,
    load_balancer,
    network,
    services,
    storage,
)

ALL_RULES: tuple[Rule, ...] = (
    *database.RULES,
    *cache.RULES,
    *load_balancer.RULES,
    *fleet.RULES,
    *iam.RULES,
    *network.RULES,
    *cdn.RULES,
    *storage.RULES,
    *services.RULES,
)


def rule_ids() -> list[str]:
    return [rule.id for rule in ALL_RULES]
