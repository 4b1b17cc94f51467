"""The catalogue of resource types: per Pulumi type token, the facts every Plan consumer
needs (CloudFormation type, stateful, create-only inputs, inputs to show, priced or free,
diagram tier). Diff, policy, cost, diagram, the plan views and the local engine read it;
nothing else keeps a per-type table of these facts.
"""

from __future__ import annotations

from infra.plan.types.entries import ENTRIES
from infra.plan.types.facts import Cost, TypeFacts
from infra.plan.types.tokens import PROVIDER_PREFIX

CATALOGUE: dict[str, TypeFacts] = {facts.token: facts for facts in ENTRIES}
if len(CATALOGUE) != len(ENTRIES):  # pragma: no cover - a duplicate is a programming error
    raise RuntimeError("infra/plan/types/entries.py lists a type token twice")

_PROVIDER = TypeFacts(
    PROVIDER_PREFIX, None, "free", cloudformation_note="a Pulumi provider, not an AWS resource"
)


def facts(token: str) -> TypeFacts | None:
    """The catalogue entry of ``token``; Pulumi providers share one; None when unknown."""
    if token.startswith(PROVIDER_PREFIX):
        return _PROVIDER
    return CATALOGUE.get(token)


def is_stateful(token: str) -> bool:
    found = facts(token)
    return found is not None and found.stateful


def forces_replacement(token: str, path: str) -> bool:
    """Whether changing the input at ``path`` (``a.b[0].c``) replaces a resource of this type."""
    found = facts(token)
    top = path.split(".", 1)[0].split("[", 1)[0]
    return found is not None and top in found.replace_on


def cost_class(token: str) -> Cost | None:
    found = facts(token)
    return found.cost if found is not None else None


def of_cost(cost: Cost) -> frozenset[str]:
    return frozenset(token for token, entry in CATALOGUE.items() if entry.cost == cost)


__all__ = [
    "CATALOGUE",
    "Cost",
    "TypeFacts",
    "cost_class",
    "facts",
    "forces_replacement",
    "is_stateful",
    "of_cost",
]
