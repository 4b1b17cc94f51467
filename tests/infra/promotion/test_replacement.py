"""One stack promoted 1 -> 2 -> 3 -> 4 never changes an input that forces a replacement.

The same stack name at every phase, so physical names compare too. The inputs checked are
the type catalogue's create-only ones: a change to any of them replaces the resource.
"""

from __future__ import annotations

import pytest

from infra.plan.build import record_plan
from infra.plan.model import Plan
from infra.plan.types import facts
from infra.settings import settings_from_config

# The catalogue's create-only inputs, plus the replica link: a replica that loses it is
# promoted to a writer of its own, which is no less a change of role.
EXTRA = {"aws:rds/instance:Instance": {"replicateSourceDb"}}


def create_only(token: str) -> set[str] | None:
    found = facts(token)
    keys = set(found.replace_on if found is not None else ()) | EXTRA.get(token, set())
    return keys or None


@pytest.fixture(scope="module")
def promoted() -> dict[int, Plan]:
    return {
        phase: record_plan(
            settings_from_config("prod", {"aws:region": "us-east-1", "green-matchers:phase": phase})
        )
        for phase in (1, 2, 3, 4)
    }


@pytest.mark.parametrize("phase", [1, 2, 3])
def test_promotion_keeps_every_create_only_input(promoted: dict[int, Plan], phase: int) -> None:
    before, after = promoted[phase].by_urn(), promoted[phase + 1].by_urn()
    for urn, old in before.items():
        keys = create_only(old.type)
        if keys is None or urn not in after:
            continue
        new = after[urn]
        for key in sorted(keys):
            assert old.inputs.get(key) == new.inputs.get(key), f"{old.name}.{key} changes"


@pytest.mark.parametrize("phase", [1, 2, 3])
def test_promotion_removes_nothing_stateful(promoted: dict[int, Plan], phase: int) -> None:
    after = promoted[phase + 1].by_urn()
    for urn, old in promoted[phase].by_urn().items():
        if old.protect:
            assert urn in after, f"{old.name} leaves the plan"
