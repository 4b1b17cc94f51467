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
from tests.infra.factories import mutate
from tests.system_tools import require_checkov

# (resource planted, planted inputs, the checkov id a policy rule claims, resource flagged)
PLANTED = [
    ("gm-db", {"storageEncrypted": False}, "CKV_AWS_16", "gm-db"),
    ("gm-db", {"publiclyAccessible": True}, "CKV_AWS_17", "gm-db"),
    ("gm-web-alb", {"dropInvalidHeaderFields": False}, "CKV_AWS_131", "gm-web-alb"),
    ("gm-api-lt", {"metadataOptions": {"httpTokens": "optional"}}, "CKV_AWS_79", "gm-api-lt"),
    (
        "gm-cdn-distribution",
        {"defaultCacheBehavior": {"viewerProtocolPolicy": "allow-all"}},
        "CKV_AWS_34",
        "gm-cdn-distribution",
    ),
    # Not planted: the default *.cloudfront.net certificate (waived in both tools' files).
    ("gm-cdn-distribution", {}, "CKV_AWS_174", "gm-cdn-distribution"),
    ("gm-redis", {"atRestEncryptionEnabled": False}, "CKV_AWS_29", "gm-redis"),
    ("gm-redis", {"transitEncryptionEnabled": False}, "CKV_AWS_30", "gm-redis"),
    ("gm-redis", {"authToken": None}, "CKV_AWS_31", "gm-redis"),
    (
        "gm-web-http",
        {
            "protocol": "HTTPS",
            "port": 443,
            "certificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/planted",
            "sslPolicy": "ELBSecurityPolicy-2016-08",
        },
        "CKV_AWS_103",
        "gm-web-http",
    ),
    (
        "gm-network-alb-from-cloudfront",
        {"fromPort": 22, "toPort": 22, "cidrIpv4": "0.0.0.0/0", "prefixListId": None},
        "CKV_AWS_24",
        None,
    ),
    (
        "gm-network-alb-to-app-in",
        {
            "fromPort": 3389,
            "toPort": 3389,
            "cidrIpv4": "0.0.0.0/0",
            "referencedSecurityGroupId": None,
        },
        "CKV_AWS_25",
        None,
    ),
    # A folded resource: the public access block is the bucket's property in CloudFormation.
    ("gm-cdn-static-public-access", {"blockPublicAcls": False}, "CKV_AWS_53", "gm-cdn-static"),
    ("gm-cdn-static-public-access", {"blockPublicPolicy": False}, "CKV_AWS_54", "gm-cdn-static"),
    ("gm-cdn-static-public-access", {"ignorePublicAcls": False}, "CKV_AWS_55", "gm-cdn-static"),
    (
        "gm-cdn-static-public-access",
        {"restrictPublicBuckets": False},
        "CKV_AWS_56",
        "gm-cdn-static",
    ),
]

# Checkov ids our policy rules cite that cannot be compared on the CloudFormation export.
NOT_COMPARABLE = {
    "CKV_AWS_133": "RDS backup retention: checkov has it for Terraform only",
    "CKV_AWS_293": "RDS deletion protection: checkov has it for Terraform only",
    "CKV_AWS_277": "security group open to all ports: checkov has it for Terraform only",
    "CKV2_AWS_6": "bucket has a public access block: a Terraform-only graph check",
    "CKV_AWS_46": "secrets in user data: checkov checks EC2 instances, we use launch templates",
    "CKV_AWS_2": (
        "HTTP listener: policy requires the redirect only once the ALB has a certificate, "
        "checkov always (the stacks pass it: a certificate-less HTTP listener redirects by "
        "default and forwards only CloudFront's requests)"
    ),
}


def test_every_checkov_id_our_policy_cites_is_compared_or_explained() -> None:
    cited = {cid for rule in ALL_RULES for cid in rule.checkov}
    compared = {c for _, _, c, _ in PLANTED}
    assert cited - compared - set(NOT_COMPARABLE) == set()
    assert set(NOT_COMPARABLE) <= cited  # no stale explanations


@pytest.fixture(scope="module")
def judged(phase_plans: dict[int, Plan]) -> tuple[PolicyResult, list[Finding]]:
    require_checkov()
    plan = phase_plans[1]
    for name, inputs, _, _ in PLANTED:
        plan = mutate(plan, name, inputs)
    return evaluate(plan), start_checkov([export_plan(plan, "us-east-1")]).findings()[0]


@pytest.mark.parametrize(
    ("name", "checkov_id"), [(flagged or n, c) for n, _, c, flagged in PLANTED]
)
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
