"""ElastiCache: encryption at rest and in transit, an auth token."""

from __future__ import annotations

from infra.plan.inputs import as_bool
from infra.plan.model import PlannedResource
from infra.plan.types.tokens import REPLICATION_GROUP
from infra.policy.context import PlanIndex
from infra.policy.model import Rule


def cache_at_rest(group: PlannedResource, index: PlanIndex) -> str | None:
    if as_bool(group.inputs.get("atRestEncryptionEnabled")):
        return None
    return "atRestEncryptionEnabled is not true"


def cache_in_transit(group: PlannedResource, index: PlanIndex) -> str | None:
    if as_bool(group.inputs.get("transitEncryptionEnabled")):
        return None
    return "transitEncryptionEnabled is not true: Redis traffic is plain text"


def cache_auth_token(group: PlannedResource, index: PlanIndex) -> str | None:
    if group.inputs.get("authToken") or group.inputs.get("userGroupIds"):
        return None
    return "no authToken (or RBAC userGroupIds): any client in the network can run commands"


RULES: tuple[Rule, ...] = (
    Rule(
        "GM-EC-1",
        "ElastiCache encrypts at rest",
        (REPLICATION_GROUP,),
        cache_at_rest,
        checkov=("CKV_AWS_29",),
        cdk_nag=("AwsSolutions-AEC3",),
    ),
    Rule(
        "GM-EC-2",
        "ElastiCache encrypts in transit",
        (REPLICATION_GROUP,),
        cache_in_transit,
        checkov=("CKV_AWS_30",),
        cdk_nag=("AwsSolutions-AEC3",),
    ),
    Rule(
        "GM-EC-3",
        "ElastiCache requires an auth token",
        (REPLICATION_GROUP,),
        cache_auth_token,
        checkov=("CKV_AWS_31",),
        cdk_nag=("AwsSolutions-AEC6",),
    ),
)
