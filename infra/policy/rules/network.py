"""Security groups: nothing open to the whole internet except 80/443 on the ALB."""

from __future__ import annotations

from typing import Any

from infra.plan.inputs import ANYWHERE, as_int, as_list
from infra.plan.model import PlannedResource
from infra.plan.types.tokens import INGRESS_RULE
from infra.plan.types.tokens import SECURITY_GROUP_RULE as GROUP_RULE
from infra.policy.context import SECURITY_GROUP, PlanIndex
from infra.policy.model import Rule

PUBLIC_PORTS = frozenset({80, 443})


def _open_sources(entry: dict[str, Any]) -> list[str]:
    sources = as_list(entry.get("cidrIpv4")) + as_list(entry.get("cidrIpv6"))
    sources += as_list(entry.get("cidrBlocks")) + as_list(entry.get("ipv6CidrBlocks"))
    return [str(source) for source in sources if str(source) in ANYWHERE]


def _ports(entry: dict[str, Any]) -> tuple[int, int] | None:
    """(from, to), or None for all traffic (protocol -1 or a missing range)."""
    protocol = str(entry.get("ipProtocol", entry.get("protocol", "tcp")))
    if protocol in {"-1", "all"}:
        return None
    if entry.get("fromPort") is None or entry.get("toPort") is None:
        return None
    return as_int(entry["fromPort"]), as_int(entry["toPort"])


def _fronts_alb(rule: PlannedResource, group_urns: list[str], index: PlanIndex) -> bool:
    if any(urn in index.alb_security_groups for urn in group_urns):
        return len(group_urns) == 1
    return str(rule.inputs.get("securityGroupId", "")) in index.alb_security_group_ids


def _judge(entry: dict[str, Any], on_alb: bool) -> str | None:
    sources = _open_sources(entry)
    if not sources:
        return None
    ports = _ports(entry)
    where = ", ".join(sorted(set(sources)))
    if ports is None:
        return f"all ports are open to {where}"
    low, high = ports
    shown = str(low) if low == high else f"{low}-{high}"
    if low == high and low in PUBLIC_PORTS:
        if on_alb:
            return None
        return f"port {shown} is open to {where} on a security group that is not the ALB's"
    return f"port {shown} is open to {where}; only 80/443 on the ALB may be"


def no_open_ingress(resource: PlannedResource, index: PlanIndex) -> str | None:
    if resource.type == SECURITY_GROUP:
        on_alb = resource.urn in index.alb_security_groups
        for entry in as_list(resource.inputs.get("ingress")):
            if isinstance(entry, dict) and (problem := _judge(entry, on_alb)):
                return problem
        return None
    if resource.type == GROUP_RULE and resource.inputs.get("type") != "ingress":
        return None
    return _judge(resource.inputs, _fronts_alb(resource, index.security_groups_of(resource), index))


RULES: tuple[Rule, ...] = (
    Rule(
        "GM-NET-1",
        "No ingress from the whole internet except 80/443 on the ALB",
        (INGRESS_RULE, GROUP_RULE, SECURITY_GROUP),
        no_open_ingress,
        checkov=("CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_277"),
        cdk_nag=("AwsSolutions-EC23",),
    ),
)
