"""Phase 4's Lattice: AWS_IAM everywhere, auth policies naming the callers, a role per
service fleet, and the AI service's Lattice URL in the user data of the fleets that call it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra.components.services import AI_SERVICE, LATTICE_PORT, SERVICES, callers_of
from infra.plan.mocks import PlanMocks
from infra.plan.model import Plan, PlannedResource
from infra.render.userdata import extract_files
from tests.infra.plan_readers import LT, by_name, user_data

NETWORK = "aws:vpclattice/serviceNetwork:ServiceNetwork"
SERVICE = "aws:vpclattice/service:Service"
AUTH_POLICY = "aws:vpclattice/authPolicy:AuthPolicy"
LISTENER = "aws:vpclattice/listener:Listener"
TARGET_GROUP = "aws:vpclattice/targetGroup:TargetGroup"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
PROFILE = "aws:iam/instanceProfile:InstanceProfile"
ACCOUNT = "123456789012"
APP_PORT = 8000


@pytest.fixture(scope="module")
def plan(plans: dict[int, Plan]) -> Plan:
    return plans[4]


def _role_arn(name: str) -> str:
    """The role's ARN as the plan's mocks answer it (the Role resource's own name)."""
    return f"arn:aws:iam::{ACCOUNT}:role/{name}"


def _arn(resource: PlannedResource) -> str:
    """The ARN the recording mocks give the resource (``service/svc-…``, as AWS shapes it)."""
    arn: str = PlanMocks("us-east-1")._computed(resource.type, resource.name, resource.inputs)[
        "arn"
    ]
    assert arn.startswith(f"arn:aws:vpc-lattice:us-east-1:{ACCOUNT}:service")
    return arn


# The roles that call the AI service: the api and worker fleets' and the matching service's.
AI_CALLERS = ("gm-instance-role", "gm-worker-instance-role", "gm-services-matching-instance-role")


def _service_id(resource: PlannedResource) -> str:
    from infra.plan.mocks import _digest

    return f"svc-{_digest(resource.name, 17)}"


def _policy(resource: PlannedResource) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(resource.inputs["policy"])
    return document


def _boot_json(plan: Plan, launch_template: str) -> dict[str, Any]:
    files = extract_files(user_data(by_name(plan, launch_template, LT)))
    config: dict[str, Any] = json.loads(files["/etc/green-matchers/boot.json"])
    return config


def test_the_network_and_every_service_use_aws_iam_auth(plan: Plan) -> None:
    assert [r.inputs["authType"] for r in plan.of_type(NETWORK)] == ["AWS_IAM"]
    services = plan.of_type(SERVICE)
    assert len(services) == len(SERVICES)
    assert {r.inputs["authType"] for r in services} == {"AWS_IAM"}


def test_every_service_and_the_network_carry_an_auth_policy(plan: Plan) -> None:
    targets = {p.inputs["resourceIdentifier"] for p in plan.of_type(AUTH_POLICY)}
    expected = {_arn(r) for r in plan.of_type(SERVICE)} | {_arn(plan.of_type(NETWORK)[0])}
    assert targets == expected


def test_the_ai_service_admits_only_its_callers_from_this_vpc(plan: Plan) -> None:
    policy = _policy(by_name(plan, "gm-services-ai-ml-lattice-auth", AUTH_POLICY))
    [statement] = policy["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Action"] == "vpc-lattice-svcs:Invoke"
    assert statement["Principal"] == {"AWS": sorted(_role_arn(r) for r in AI_CALLERS)}
    ai = by_name(plan, "gm-services-ai-ml-lattice", SERVICE)
    assert statement["Resource"] == sorted(
        f"{_arn(ai)}{path}" for path in ("/api/ai/*", "/api/embeddings/*")
    )
    conditions = statement["Condition"]
    assert conditions["StringEquals"] == {"vpc-lattice-svcs:SourceVpc": "gm-network-vpc-id"}
    assert conditions["ArnEquals"] == {
        "vpc-lattice-svcs:ServiceNetworkArn": _arn(plan.of_type(NETWORK)[0])
    }


@pytest.mark.parametrize("service", ["auth", "matching", "analytics"])
def test_a_service_nobody_calls_denies_every_request(plan: Plan, service: str) -> None:
    assert callers_of(service) == []
    [statement] = _policy(by_name(plan, f"gm-services-{service}-lattice-auth"))["Statement"]
    assert statement["Effect"] == "Deny" and statement["Principal"] == "*"
    assert statement["Resource"] == "*"


def test_the_network_admits_only_roles_that_call_a_service(plan: Plan) -> None:
    [statement] = _policy(by_name(plan, "gm-services-network-auth", AUTH_POLICY))["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Principal"]["AWS"] == sorted(_role_arn(r) for r in AI_CALLERS)
    assert statement["Condition"] == {
        "StringEquals": {"vpc-lattice-svcs:SourceVpc": "gm-network-vpc-id"}
    }


def test_each_service_fleet_has_its_own_role_and_profile(plan: Plan) -> None:
    profiles = {}
    for spec in SERVICES:
        prefix = f"gm-services-{spec.name}-instance"
        role = by_name(plan, f"{prefix}-role", ROLE)
        profile = by_name(plan, f"{prefix}-profile", PROFILE)
        assert profile.inputs["role"] == role.name  # the mocks name a role after itself
        template = by_name(plan, f"gm-services-{spec.name}-lt", LT)
        assert template.inputs["iamInstanceProfile"] == {"name": profile.name}
        profiles[spec.name] = profile.name
    assert len(set(profiles.values())) == len(SERVICES)
    # The api and worker fleets have roles of their own too (issue 25: a role per fleet).
    for fleet, profile_name in (
        ("gm-api-lt", "gm-instance"),
        ("gm-worker-lt", "gm-worker-instance"),
    ):
        assert by_name(plan, fleet, LT).inputs["iamInstanceProfile"] == {
            "name": f"{profile_name}-profile"
        }


def test_service_roles_differ_from_the_shared_role_only_in_their_secrets(plan: Plan) -> None:
    """The releases and the metrics namespace alike; which secrets: test_secret_access.py."""

    def others(policy: dict[str, Any]) -> list[Any]:
        return [s for s in policy["Statement"] if s["Sid"] != "ReadRuntimeSecrets"]

    shared = _policy(by_name(plan, "gm-instance-runtime", ROLE_POLICY))
    for spec in SERVICES:
        own = _policy(by_name(plan, f"gm-services-{spec.name}-instance-runtime", ROLE_POLICY))
        assert others(own) == others(shared)


def test_only_callers_may_invoke_and_only_the_ai_service(plan: Plan) -> None:
    ai = _arn(by_name(plan, "gm-services-ai-ml-lattice", SERVICE))
    invoking = {
        r.name: _policy(r)["Statement"]
        for r in plan.of_type(ROLE_POLICY)
        if "vpc-lattice-svcs:Invoke" in r.inputs["policy"]
    }
    assert set(invoking) == {
        "gm-instance-lattice",
        "gm-worker-instance-lattice",
        "gm-services-matching-instance-lattice",
    }
    for statements in invoking.values():
        [statement] = statements
        assert statement["Action"] == ["vpc-lattice-svcs:Invoke"]
        assert statement["Resource"] == [f"{ai}/api/ai/*", f"{ai}/api/embeddings/*"]


def test_listeners_serve_https_443_and_forward_to_the_app_port(plan: Plan) -> None:
    listeners = plan.of_type(LISTENER)
    assert len(listeners) == len(SERVICES)
    for listener in listeners:
        assert (listener.inputs["protocol"], listener.inputs["port"]) == ("HTTPS", LATTICE_PORT)
        assert not listener.inputs.get("certificateArn")  # Lattice's own certificate
    for group in plan.of_type(TARGET_GROUP):
        config = group.inputs["config"]
        assert (config["protocol"], config["port"], group.inputs["type"]) == (
            "HTTP",
            APP_PORT,
            "INSTANCE",
        )
        check = config["healthCheck"]
        assert (check["path"], check["protocol"], check["enabled"]) == ("/health", "HTTP", True)


def test_the_ai_service_url_reaches_the_fleets_that_embed_through_it(plan: Plan) -> None:
    ai = by_name(plan, "gm-services-ai-ml-lattice", SERVICE)
    for template in ("gm-api-lt", "gm-worker-lt", "gm-services-matching-lt"):
        config = _boot_json(plan, template)["ai_service"]
        assert config["auth"] == "aws_iam"
        host = config["url"].removeprefix("https://")
        assert config["url"].startswith("https://")
        assert host.startswith("svc-") and host.endswith(".vpc-lattice-svcs.us-east-1.on.aws")
        # the launch template waits for the AI service: its URL is that service's output
        assert ai.urn in by_name(plan, template, LT).dependencies
    for service in SERVICES:
        if AI_SERVICE not in service.calls:
            assert "ai_service" not in _boot_json(plan, f"gm-services-{service.name}-lt")


@pytest.mark.parametrize("phase", [1, 2, 3])
def test_earlier_phases_have_no_ai_service_url(plans: dict[int, Plan], phase: int) -> None:
    for template in plans[phase].of_type(LT):
        files = extract_files(user_data(template))
        assert "ai_service" not in json.loads(files["/etc/green-matchers/boot.json"])
