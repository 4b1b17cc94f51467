"""Each rule fires on a violating resource and stays quiet on a compliant one."""

from __future__ import annotations

import json

import pytest

from infra.policy.evaluate import evaluate
from infra.policy.rules import ALL_RULES
from infra.policy.suppressions import Suppression
from tests.infra.factories import b64, compliant, compliant_plan, res, with_inputs

OPEN_AUTH_POLICY = json.dumps(
    {
        "Statement": [
            {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"},
            {"Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": "*", "Resource": "*"},
        ]
    }
)


def test_compliant_plan_passes_every_rule() -> None:
    result = evaluate(compliant_plan())
    assert result.violations == []
    assert result.passed >= len(ALL_RULES)


def test_every_rule_has_an_id_title_and_a_counterpart_reference() -> None:
    ids = [rule.id for rule in ALL_RULES]
    assert len(ids) == len(set(ids))
    for rule in ALL_RULES:
        assert rule.title and rule.types
        assert rule.checkov or rule.no_counterpart, f"{rule.id} names no checkov counterpart"


def _violating_cases() -> list[tuple[str, str, dict]]:
    """(rule id, resource key, input overrides) that must each produce one violation."""
    return [
        ("GM-RDS-1", "db", {"storageEncrypted": False}),
        ("GM-RDS-1", "db", {"storageEncrypted": None}),
        ("GM-RDS-2", "db", {"publiclyAccessible": True}),
        ("GM-RDS-3", "db", {"backupRetentionPeriod": 1}),
        ("GM-RDS-3", "db", {"backupRetentionPeriod": None}),
        ("GM-RDS-4", "db", {"deletionProtection": False}),
        ("GM-EC-1", "cache", {"atRestEncryptionEnabled": False}),
        ("GM-EC-2", "cache", {"transitEncryptionEnabled": None}),
        ("GM-EC-3", "cache", {"authToken": None}),
        ("GM-ALB-1", "alb", {"dropInvalidHeaderFields": False}),
        ("GM-ALB-2", "http", {"defaultActions": [{"type": "forward", "targetGroupArn": "x"}]}),
        ("GM-ALB-3", "https", {"sslPolicy": "ELBSecurityPolicy-2016-08"}),
        ("GM-ALB-3", "https", {"sslPolicy": None}),
        ("GM-EC2-1", "lt", {"metadataOptions": {"httpTokens": "optional"}}),
        ("GM-EC2-1", "lt", {"metadataOptions": None}),
        ("GM-EC2-2", "lt", {"userData": b64("export DB_PASSWORD=hunter2hunter2\n")}),
        ("GM-EC2-2", "lt", {"userData": b64('cfg = {"redis_token": "abcdefgh1234"}\n')}),
        ("GM-EC2-2", "lt", {"userData": b64("DATABASE_URL=mysql://gm:s3cretpw@db:3306/gm\n")}),
        ("GM-EC2-2", "lt", {"userData": b64("aws_key=AKIAABCDEFGHIJKLMNOP\n")}),
        ("GM-EC2-2", "lt", {"userData": "[secret]"}),
        ("GM-NET-1", "alb_in_443", {"fromPort": 0, "toPort": 65535}),
        ("GM-NET-1", "app_in", {"cidrIpv4": "0.0.0.0/0", "referencedSecurityGroupId": None}),
        ("GM-NET-1", "alb_in_80", {"fromPort": 22, "toPort": 22}),
        ("GM-NET-1", "alb_in_80", {"ipProtocol": "-1", "cidrIpv6": "::/0", "cidrIpv4": None}),
        ("GM-CDN-1", "cdn", {"defaultCacheBehavior": {"viewerProtocolPolicy": "allow-all"}}),
        ("GM-CDN-1", "cdn", {"orderedCacheBehaviors": [{"viewerProtocolPolicy": "allow-all"}]}),
        (
            "GM-CDN-2",
            "cdn",
            {"viewerCertificate": {"acmCertificateArn": "arn", "minimumProtocolVersion": "TLSv1"}},
        ),
        ("GM-CDN-2", "cdn", {"viewerCertificate": {"cloudfrontDefaultCertificate": True}}),
        ("GM-S3-1", "pab", {"restrictPublicBuckets": False}),
        ("GM-LAT-1", "lattice_network", {"authType": "NONE"}),
        ("GM-LAT-1", "lattice_service", {"authType": None}),
        ("GM-LAT-2", "lattice_auth", {"policy": OPEN_AUTH_POLICY}),
    ]


@pytest.mark.parametrize(("rule_id", "key", "changes"), _violating_cases())
def test_rule_fires_on_violation(rule_id: str, key: str, changes: dict) -> None:
    resource = compliant()[key]
    result = evaluate(compliant_plan(**{key: with_inputs(resource, **changes)}))
    fired = [(v.rule, v.name) for v in result.violations]
    target = "gm-assets" if key == "pab" else resource.name
    assert fired == [(rule_id, target)], result.violations


def test_open_port_443_off_the_alb_is_flagged() -> None:
    sg = compliant()["app_sg"]
    rule = res(
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "gm-app-public",
        {
            "securityGroupId": "sg-app",
            "cidrIpv4": "0.0.0.0/0",
            "ipProtocol": "tcp",
            "fromPort": 443,
            "toPort": 443,
        },
        [sg],
    )
    result = evaluate(compliant_plan(extra=rule))
    assert [(v.rule, v.name) for v in result.violations] == [("GM-NET-1", "gm-app-public")]
    assert "not the ALB's" in result.violations[0].message


def test_inline_security_group_ingress_is_checked() -> None:
    sg = with_inputs(
        compliant()["app_sg"],
        ingress=[
            {"protocol": "tcp", "fromPort": 3306, "toPort": 3306, "cidrBlocks": ["0.0.0.0/0"]}
        ],
    )
    result = evaluate(compliant_plan(app_sg=sg))
    assert [v.rule for v in result.violations] == ["GM-NET-1"]


def test_bucket_without_a_public_access_block_is_flagged() -> None:
    resources = compliant()
    del resources["pab"]
    from tests.infra.factories import plan_of

    result = evaluate(plan_of(*resources.values()))
    assert [(v.rule, v.name) for v in result.violations] == [("GM-S3-1", "gm-assets")]


def test_http_without_a_certificate_needs_no_redirect() -> None:
    resources = compliant()
    del resources["https"]
    resources["http"] = with_inputs(resources["http"], defaultActions=[{"type": "forward"}])
    from tests.infra.factories import plan_of

    assert evaluate(plan_of(*resources.values())).violations == []


def test_read_replica_inherits_encryption_and_skips_backups() -> None:
    primary = compliant()["db"]
    replica = res(
        "aws:rds/instance:Instance",
        "gm-db-replica-0",
        {
            "replicateSourceDb": "gm-db-id",
            "instanceClass": "db.t3.medium",
            "deletionProtection": True,
            "backupRetentionPeriod": 0,
        },
        [primary],
    )
    assert evaluate(compliant_plan(replica=replica)).violations == []


def test_user_data_with_secret_references_only_passes() -> None:
    script = '#!/bin/bash\nexport REDIS_PASSWORD="$(fetch-secret redis)"\nTOKEN=${TOKEN}\n'
    lt = with_inputs(compliant()["lt"], userData=b64(script))
    assert evaluate(compliant_plan(lt=lt)).violations == []


def test_suppression_moves_a_violation_aside_with_its_reason() -> None:
    db = with_inputs(compliant()["db"], deletionProtection=False)
    waiver = Suppression("GM-RDS-4", "gm-db", "throwaway test database")
    result = evaluate(compliant_plan(db=db), suppressions=[waiver])
    assert result.ok
    assert [(s.rule, s.reason) for s in result.suppressed] == [
        ("GM-RDS-4", "throwaway test database")
    ]


def test_code_that_handles_secrets_is_not_a_secret() -> None:
    script = (
        "session_secret = derive_secret(token, 'purpose')\n"
        "token = redis_token(secret(cfg['redis']['secret_arn']))\n"
        'url = f"rediss://:{quote(token)}@{host}:6379/0"\n'
        "DATABASE_URL=mysql://gm:${DB_PASSWORD}@db:3306/gm\n"
    )
    lt = with_inputs(compliant()["lt"], userData=b64(script))
    assert evaluate(compliant_plan(lt=lt)).violations == []


def test_secret_arns_are_references() -> None:
    config = '{"db": {"secret_arn": "arn:aws:secretsmanager:us-east-1:1:secret:rds!db"}}\n'
    lt = with_inputs(compliant()["lt"], userData=b64(config))
    assert evaluate(compliant_plan(lt=lt)).violations == []


def test_the_message_names_the_line() -> None:
    lt = with_inputs(compliant()["lt"], userData=b64("#!/bin/sh\nexport API_KEY=abcdef123456\n"))
    (violation,) = evaluate(compliant_plan(lt=lt)).violations
    assert "line 2" in violation.message


def test_suppression_can_be_narrowed_to_a_message() -> None:
    cdn = with_inputs(compliant()["cdn"], viewerCertificate={"minimumProtocolVersion": "TLSv1"})
    waiver = Suppression("GM-CDN-2", "gm-cdn", "default certificate only", "*default*")
    result = evaluate(compliant_plan(cdn=cdn), suppressions=[waiver])
    assert [v.rule for v in result.violations] == ["GM-CDN-2"]
