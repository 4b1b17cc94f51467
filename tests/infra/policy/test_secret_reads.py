"""GM-IAM-1 on the phase plans: quiet on the stacks as built, and it fires when a fleet's
role reads a secret its service does not use or its boot script fetches one it may not."""

from __future__ import annotations

import json

import pytest

from infra.plan.model import Plan
from infra.policy.evaluate import evaluate
from infra.policy.rules.iam import RULES
from tests.infra.factories import mutate
from tests.infra.plan_readers import by_name

ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"


def violations(plan: Plan) -> list[tuple[str, str]]:
    return [(v.name, v.message) for v in evaluate(plan, RULES).violations]


@pytest.mark.parametrize("phase", [1, 2, 3, 4])
def test_every_phase_reads_exactly_what_its_fleets_fetch(
    plans: dict[int, Plan], phase: int
) -> None:
    result = evaluate(plans[phase], RULES)
    assert result.violations == []
    assert result.passed >= 1


def test_a_service_role_with_every_secret_is_flagged(plans: dict[int, Plan]) -> None:
    plan = plans[4]
    shared = by_name(plan, "gm-instance-runtime", ROLE_POLICY).inputs["policy"]
    wide = mutate(plan, "gm-services-matching-instance-runtime", {"policy": shared})
    [(name, message)] = violations(wide)
    assert name == "gm-services-matching-lt"
    assert "no fleet using it fetches" in message
    assert "gm-secrets-session" in message and "gm-db-shard-1-master" in message


def test_a_fetch_the_role_cannot_read_is_flagged(plans: dict[int, Plan]) -> None:
    plan = plans[4]
    policy = json.loads(
        by_name(plan, "gm-services-auth-instance-runtime", ROLE_POLICY).inputs["policy"]
    )
    for statement in policy["Statement"]:
        if statement["Sid"] == "ReadRuntimeSecrets":
            statement["Resource"] = [a for a in statement["Resource"] if "gm-db-master" not in a]
    narrow = mutate(plan, "gm-services-auth-instance-runtime", {"policy": json.dumps(policy)})
    [(name, message)] = violations(narrow)
    assert name == "gm-services-auth-lt"
    assert "cannot read" in message and "gm-db-master" in message
