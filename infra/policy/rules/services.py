"""VPC Lattice (phase 4): IAM auth on the network and services; no open auth policy."""

from __future__ import annotations

import json
from typing import Any

from infra.plan.inputs import as_list
from infra.plan.model import PlannedResource
from infra.plan.types.tokens import LATTICE_AUTH_POLICY, LATTICE_NETWORK, LATTICE_SERVICE
from infra.policy.context import PlanIndex
from infra.policy.model import Rule

NO_COUNTERPART = "checkov 3.3 and cdk-nag have no VPC Lattice checks"


def iam_auth(resource: PlannedResource, index: PlanIndex) -> str | None:
    auth = resource.inputs.get("authType")
    if auth == "AWS_IAM":
        return None
    return f"authType is {auth or 'unset (NONE)'}: any client in the network may call; use AWS_IAM"


def _anyone(principal: Any) -> bool:
    if principal == "*":
        return True
    return isinstance(principal, dict) and "*" in as_list(principal.get("AWS"))


def no_open_auth_policy(policy: PlannedResource, index: PlanIndex) -> str | None:
    text = policy.inputs.get("policy")
    if not isinstance(text, str):
        return None  # unknown until deployed (a preview): nothing to judge yet
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        return "policy is not JSON"
    for n, statement in enumerate(as_list(document.get("Statement"))):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        if _anyone(statement.get("Principal")) and not statement.get("Condition"):
            return (
                f"Statement[{n}] allows any principal with no condition: name the calling "
                "roles, or limit it (e.g. vpc-lattice-svcs:SourceVpc)"
            )
    return None


RULES: tuple[Rule, ...] = (
    Rule(
        "GM-LAT-1",
        "VPC Lattice networks and services require IAM auth",
        (LATTICE_NETWORK, LATTICE_SERVICE),
        iam_auth,
        no_counterpart=NO_COUNTERPART,
    ),
    Rule(
        "GM-LAT-2",
        "Lattice auth policies allow no unconditioned wildcard principal",
        (LATTICE_AUTH_POLICY,),
        no_open_auth_policy,
        no_counterpart=NO_COUNTERPART,
    ),
)
