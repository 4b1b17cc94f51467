"""The Plan itself: deterministic JSON, graph edges, parents, HTTPS from stack settings."""

from __future__ import annotations

import json
from pathlib import Path

from infra.plan.build import plan_for_stack, record_plan
from infra.plan.model import Plan
from infra.stack_files import settings_for_phase
from tests.infra.plan_readers import LISTENER, RDS, by_name, get


def test_same_settings_give_byte_identical_json(plans: dict[int, Plan]) -> None:
    assert record_plan(settings_for_phase(2)).to_json() == plans[2].to_json()


def test_plan_round_trips_through_json(plans: dict[int, Plan], tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text(plans[3].to_json())
    assert Plan.load(path).to_json() == plans[3].to_json()


def test_resources_carry_parents_dependencies_and_wire_names(plans: dict[int, Plan]) -> None:
    plan = plans[2]
    data = json.loads(plan.to_json())
    assert [r["urn"] for r in data["resources"]] == sorted(r["urn"] for r in data["resources"])
    urns = {r.urn for r in plan.resources}
    asg = by_name(plan, "gm-api-asg")
    assert asg.parent is not None and asg.parent in urns
    assert asg.parent.endswith("green-matchers:compute:Fleet::gm-api")
    lt = by_name(plan, "gm-api-lt")
    assert lt.urn in asg.dependencies
    replica = by_name(plan, "gm-db-replica-1")
    assert by_name(plan, "gm-db", RDS).urn in replica.dependencies
    assert all(d in urns for r in plan.resources for d in r.dependencies)
    assert "vpcSecurityGroupIds" in replica.inputs
    assert by_name(plan, "gm-network", "green-matchers:network:Network").parent is None


def test_certificate_turns_on_https_and_redirects_http(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.secure.yaml").write_text(
        "config:\n"
        "  aws:region: eu-west-1\n"
        "  green-matchers:phase: 2\n"
        "  green-matchers:certificateArn: "
        "arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012\n"
        "  green-matchers:domain: greenmatchers.com\n"
    )
    plan = plan_for_stack("secure", tmp_path)
    listeners = {r.inputs["port"]: r for r in plan.of_type(LISTENER)}
    assert listeners[443].inputs["protocol"] == "HTTPS"
    assert listeners[443].inputs["sslPolicy"].startswith("ELBSecurityPolicy-TLS13")
    assert get(listeners[80], "defaultActions.0.type") == "redirect"
    assert get(listeners[80], "defaultActions.0.redirect.protocol") == "HTTPS"
    # not CloudFront (no X-Origin-Verify): 403 on HTTPS
    assert get(listeners[443], "defaultActions.0.fixedResponse.statusCode") == "403"
    alb_in = [
        r.inputs
        for r in plan.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        if r.name == "gm-network-alb-from-cloudfront"
    ]
    assert [(i["fromPort"], "prefixListId" in i) for i in alb_in] == [(443, True)]
    cdn = plan.of_type("aws:cloudfront/distribution:Distribution")[0]
    alb_origin = next(o for o in cdn.inputs["origins"] if o["originId"] == "api-alb")
    assert alb_origin["domainName"] == "origin.greenmatchers.com"
    assert alb_origin["customOriginConfig"]["originProtocolPolicy"] == "https-only"
    assert plan.stack == "secure"
    assert by_name(plan, "gm-api-lt").urn.startswith("urn:pulumi:secure::green-matchers::")


def test_without_certificate_http_forwards_only_cloudfronts_requests(
    plans: dict[int, Plan],
) -> None:
    """No HTTPS listener: the default action redirects to it (nothing answers there: a
    refusal); only a rule requiring CloudFront's X-Origin-Verify forwards."""
    listeners = plans[1].of_type(LISTENER)
    assert [(r.inputs["port"], get(r, "defaultActions.0.type")) for r in listeners] == [
        (80, "redirect")
    ]
    rules = plans[1].of_type("aws:lb/listenerRule:ListenerRule")
    forwarding = [r for r in rules if get(r, "actions.0.type") == "forward"]
    assert forwarding
    for rule in forwarding:
        headers = [c["httpHeader"] for c in rule.inputs["conditions"] if "httpHeader" in c]
        assert [h["httpHeaderName"] for h in headers] == ["X-Origin-Verify"], rule.name


def test_cdn_certificate_serves_the_domain_with_modern_tls(tmp_path: Path) -> None:
    cert = "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"
    (tmp_path / "Pulumi.edge.yaml").write_text(
        "config:\n  aws:region: us-east-1\n  green-matchers:phase: 1\n"
        f"  green-matchers:domain: greenmatchers.com\n  green-matchers:cdnCertificateArn: {cert}\n"
    )
    cdn = plan_for_stack("edge", tmp_path).of_type("aws:cloudfront/distribution:Distribution")[0]
    assert cdn.inputs["aliases"] == ["greenmatchers.com"]
    assert cdn.inputs["viewerCertificate"] == {
        "acmCertificateArn": cert,
        "sslSupportMethod": "sni-only",
        "minimumProtocolVersion": "TLSv1.2_2021",
    }


def test_without_a_cdn_certificate_the_default_one_is_used(plans: dict[int, Plan]) -> None:
    # AWS serves *.cloudfront.net with TLSv1 as the floor whatever the minimum says: the
    # policy rule GM-CDN-2 reports it, suppressed with that reason (infra/policy).
    cdn = plans[1].of_type("aws:cloudfront/distribution:Distribution")[0]
    assert get(cdn, "viewerCertificate.cloudfrontDefaultCertificate") is True
    assert "aliases" not in cdn.inputs or not cdn.inputs["aliases"]
