"""Where a gm-infra policy rule claims a checkov id, both flag the same planted resource."""

from __future__ import annotations

import pytest

from infra.export.cloudformation import export_plan
from infra.plan.model import Plan
from infra.policy.evaluate import evaluate
from infra.policy.model import PolicyResult
from infra.policy.rules import ALL_RULES
from infra.validate.checkov_judge import start_checkov
from infra.validate.model import Finding

from .conftest import mutate, require_checkov

# (resource, planted inputs, the checkov id a policy rule claims)
PLANTED = [
    ("gm-db", {"storageEncrypted": False}, "CKV_AWS_16"),
    ("gm-db", {"publiclyAccessible": True}, "CKV_AWS_17"),
    ("gm-web-alb", {"dropInvalidHeaderFields": False}, "CKV_AWS_131"),
    ("gm-api-lt", {"metadataOptions": {"httpTokens": "optional"}}, "CKV_AWS_79"),
    (
        "gm-cdn-distribution",
        {"defaultCacheBehavior": {"viewerProtocolPolicy": "allow-all"}},
        "CKV_AWS_34",
    ),
    ("gm-redis", {"atRestEncryptionEnabled": False}, "CKV_AWS_29"),
    ("gm-network-alb-in-443-v4", {"fromPort": 22, "toPort": 22}, "CKV_AWS_24"),
]


@pytest.fixture(scope="module")
def judged(phase_plans: dict[int, Plan]) -> tuple[PolicyResult, list[Finding]]:
    require_checkov()
    plan = phase_plans[1]
    for name, inputs, _ in PLANTED:
        plan = mutate(plan, name, inputs)
    return evaluate(plan), start_checkov(export_plan(plan, "us-east-1")).findings()


@pytest.mark.parametrize(("name", "checkov_id"), [(n, c) for n, _, c in PLANTED])
def test_policy_and_checkov_flag_the_same_resource(
    judged: tuple[PolicyResult, list[Finding]], name: str, checkov_id: str
) -> None:
    policy, checkov = judged
    claiming = {rule.id for rule in ALL_RULES if checkov_id in rule.checkov}
    assert claiming, f"no policy rule claims {checkov_id}"
    assert any(v.rule in claiming and v.name == name for v in policy.violations), (
        f"policy {sorted(claiming)} did not flag {name}"
    )
    assert any(f.rule == checkov_id and f.name == name for f in checkov), (
        f"checkov {checkov_id} did not flag {name}: "
        f"{sorted({(f.rule, f.name) for f in checkov if f.name == name})}"
    )
