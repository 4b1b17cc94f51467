"""parliament and cloudsplaining over the plans' policy documents: planted flaws are caught,
and the phases' own policies are what issue 25 asks (no SSM parameter reads, a role per
proxy, trust policies bound to this account)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from infra.plan.model import Plan, PlannedResource
from infra.validate.iam_judges import run_cloudsplaining, run_parliament

ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
PHASES = (1, 2, 3, 4)
RUN_COMMAND_ROLES = {
    1: [],
    2: ["gm-worker-instance-ssm-agent"],
    3: ["gm-worker-instance-ssm-agent"],
    4: ["gm-services-analytics-instance-ssm-agent"],
}


def _policy_plan(statements: list[dict[str, Any]]) -> Plan:
    document = json.dumps({"Version": "2012-10-17", "Statement": statements})
    resource = PlannedResource(
        f"urn:pulumi:t::p::{ROLE_POLICY}::planted",
        ROLE_POLICY,
        "planted",
        True,
        None,
        {"policy": document},
    )
    return Plan("p", "t", 1, [resource], {})


def _allow(actions: list[str], resource: str = "*") -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resource}


@pytest.mark.parametrize(
    ("statement", "judge", "rule"),
    [
        (_allow(["s3:GetObjekt"], "arn:aws:s3:::b/*"), run_parliament, "UNKNOWN_ACTION"),
        (
            _allow(["s3:GetObject"], "arn:aws:sqs:us-east-1:123456789012:q"),
            run_parliament,
            "RESOURCE_MISMATCH",
        ),
        (_allow(["iam:PassRole", "ec2:RunInstances"]), run_cloudsplaining, "PrivilegeEscalation"),
        (_allow(["iam:CreateAccessKey"]), run_cloudsplaining, "CredentialsExposure"),
        (_allow(["s3:GetObject"]), run_cloudsplaining, "DataExfiltration"),
    ],
)
def test_a_planted_flaw_is_named(statement: dict[str, Any], judge: Any, rule: str) -> None:
    findings = judge(_policy_plan([statement]))
    assert rule in {f.rule for f in findings}
    assert all(f.name == "planted" for f in findings)


def test_a_narrow_policy_has_nothing_to_report() -> None:
    plan = _policy_plan([_allow(["s3:GetObject"], "arn:aws:s3:::gm-artifacts/releases/*")])
    assert run_parliament(plan) == [] and run_cloudsplaining(plan) == []


def _documents(plan: Plan, type_token: str, key: str) -> dict[str, Any]:
    return {r.name: json.loads(r.inputs[key]) for r in plan.of_type(type_token)}


@pytest.mark.parametrize("phase", PHASES)
def test_no_instance_role_may_read_ssm_parameters(phase: int, phase_plans: dict[int, Plan]) -> None:
    plan = phase_plans[phase]
    assert not [
        r.name for r in plan.of_type(ATTACHMENT) if "AmazonSSM" in str(r.inputs.get("policyArn"))
    ]
    actions = {
        name: {
            a
            for s in doc["Statement"]
            for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
        }
        for name, doc in _documents(plan, ROLE_POLICY, "policy").items()
    }
    assert not [
        n
        for n, acts in actions.items()
        if any(a.startswith("ssm:GetParameter") or a == "ssm:*" for a in acts)
    ]
    # Run Command reaches only the fleet the reshard runs on: no one before the workers exist
    # (phase 1), the workers in phases 2-3, the analytics service in phase 4.
    run_command = sorted(n for n, acts in actions.items() if "ec2messages:GetMessages" in acts)
    assert run_command == RUN_COMMAND_ROLES[phase]


@pytest.mark.parametrize("phase", PHASES)
def test_every_service_role_but_ec2_names_its_source_account(
    phase: int, phase_plans: dict[int, Plan]
) -> None:
    for name, trust in _documents(phase_plans[phase], ROLE, "assumeRolePolicy").items():
        [statement] = trust["Statement"]
        if statement["Principal"] == {"Service": "ec2.amazonaws.com"}:
            continue  # EC2 sets no source context (infra/components/iam.py)
        condition = statement.get("Condition", {})
        assert condition.get("StringEquals", {}).get("aws:SourceAccount"), name
        assert condition.get("ArnLike", {}).get("aws:SourceArn"), name


@pytest.mark.parametrize("phase", (3, 4))
def test_each_proxy_reads_only_its_own_shard_secret(
    phase: int, phase_plans: dict[int, Plan]
) -> None:
    plan = phase_plans[phase]
    policies = _documents(plan, ROLE_POLICY, "policy")
    proxies = plan.of_type("aws:rds/proxy:Proxy")
    assert len(proxies) == 3
    for proxy in proxies:
        [auth] = proxy.inputs["auths"]
        index = proxy.name.rsplit("-", 1)[-1]
        [statement] = policies[f"gm-db-proxy-{index}-secret"]["Statement"]
        assert statement["Resource"] == [auth["secretArn"]]


def test_a_widened_role_fails_validation(phase_plans: dict[int, Plan]) -> None:
    from infra.validate.run import validate_plan

    plan = phase_plans[1]
    widened = [
        dataclasses.replace(
            r,
            inputs={
                **r.inputs,
                "policy": json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [_allow(["iam:PassRole", "ec2:RunInstances"])],
                    }
                ),
            },
        )
        if r.name == "gm-instance-ssm-agent"
        else r
        for r in plan.resources
    ]
    result = validate_plan(
        dataclasses.replace(plan, resources=widened),
        "us-east-1",
        judges=("parliament", "cloudsplaining"),
    )
    assert not result.passed
    assert ("cloudsplaining", "PrivilegeEscalation", "gm-instance-ssm-agent") in {
        (f.tool, f.rule, f.name) for f in result.unwaived()
    }


@pytest.mark.parametrize("phase", (2, 3, 4))
def test_the_worker_and_the_web_fleet_have_different_roles(
    phase: int, phase_plans: dict[int, Plan]
) -> None:
    templates = {
        r.name: r for r in phase_plans[phase].of_type("aws:ec2/launchTemplate:LaunchTemplate")
    }
    profiles = {name: t.inputs["iamInstanceProfile"]["name"] for name, t in templates.items()}
    assert profiles["gm-api-lt"] == "gm-instance-profile"
    assert profiles["gm-worker-lt"] == "gm-worker-instance-profile"
    assert len(set(profiles.values())) == len(profiles)  # one role per fleet


@pytest.mark.parametrize("phase", PHASES)
def test_the_alarm_topic_has_an_explicit_policy(phase: int, phase_plans: dict[int, Plan]) -> None:
    [policy] = phase_plans[phase].of_type("aws:sns/topicPolicy:TopicPolicy")
    statements = {s["Sid"]: s for s in json.loads(policy.inputs["policy"])["Statement"]}
    publish = statements["CloudWatchAlarmsPublish"]
    assert publish["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert publish["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"}
    assert publish["Condition"]["ArnLike"]["aws:SourceArn"].endswith(":alarm:*")
    assert statements["TlsOnly"]["Effect"] == "Deny"
    assert statements["TlsOnly"]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert {s["Resource"] for s in statements.values()} == {policy.inputs["arn"]}
