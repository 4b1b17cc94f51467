"""Cross-resource facts some rules need: which security groups front an ALB, which
buckets have a public access block, whether a load balancer terminates TLS."""

from __future__ import annotations

from dataclasses import dataclass, field

from infra.plan.inputs import as_list, lookup
from infra.plan.model import Plan, PlannedResource
from infra.plan.types.tokens import (
    BUCKET,
    LISTENER,
    LOAD_BALANCER,
    PUBLIC_ACCESS_BLOCK,
    SECURITY_GROUP,
)


@dataclass(frozen=True)
class PlanIndex:
    """Lookups over one plan, built once per evaluation."""

    resources: dict[str, PlannedResource]
    alb_security_groups: frozenset[str] = field(default_factory=frozenset)
    alb_security_group_ids: frozenset[str] = field(default_factory=frozenset)
    blocked_buckets: frozenset[str] = field(default_factory=frozenset)
    tls_load_balancers: frozenset[str] = field(default_factory=frozenset)

    def security_groups_of(self, resource: PlannedResource) -> list[str]:
        """URNs of the security groups a rule resource depends on."""
        return [
            urn
            for urn in resource.dependencies
            if urn in self.resources and self.resources[urn].type == SECURITY_GROUP
        ]

    def load_balancer_of(self, listener: PlannedResource) -> str | None:
        for urn in listener.dependencies:
            if urn in self.resources and self.resources[urn].type == LOAD_BALANCER:
                return urn
        return None


def index_plan(plan: Plan) -> PlanIndex:
    resources = plan.by_urn()
    albs = [r for r in resources.values() if r.type == LOAD_BALANCER]
    alb_groups = {
        urn
        for alb in albs
        for urn in alb.dependencies
        if urn in resources and resources[urn].type == SECURITY_GROUP
    }
    alb_group_ids = {
        str(group) for alb in albs for group in as_list(lookup(alb.inputs, "securityGroups"))
    }
    blocked = {
        urn
        for block in resources.values()
        if block.type == PUBLIC_ACCESS_BLOCK and _blocks_everything(block)
        for urn in block.dependencies
        if urn in resources and resources[urn].type == BUCKET
    }
    tls = set()
    for listener in resources.values():
        if listener.type == LISTENER and lookup(listener.inputs, "certificateArn"):
            alb = next((u for u in listener.dependencies if u in {a.urn for a in albs}), None)
            if alb:
                tls.add(alb)
    return PlanIndex(
        resources=resources,
        alb_security_groups=frozenset(alb_groups),
        alb_security_group_ids=frozenset(alb_group_ids),
        blocked_buckets=frozenset(blocked),
        tls_load_balancers=frozenset(tls),
    )


def _blocks_everything(block: PlannedResource) -> bool:
    keys = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    return all(block.inputs.get(key) is True for key in keys)
