"""The topology graph: the resources people draw, joined through the plumbing between them."""

from __future__ import annotations

from dataclasses import dataclass

from infra.plan.model import Plan, PlannedResource
from infra.policy.inputs import as_int, is_true

# Drawn node types, by tier (traffic flows from lower to higher tiers).
TIERS: dict[str, int] = {
    "aws:cloudfront/distribution:Distribution": 1,
    "aws:s3/bucket:Bucket": 7,
    "aws:lb/loadBalancer:LoadBalancer": 2,
    "aws:lb/targetGroup:TargetGroup": 3,
    "aws:autoscaling/group:Group": 4,
    "aws:vpclattice/serviceNetwork:ServiceNetwork": 5,
    "aws:vpclattice/service:Service": 5,
    "aws:rds/proxy:Proxy": 6,
    "aws:rds/instance:Instance": 7,
    "aws:elasticache/replicationGroup:ReplicationGroup": 7,
    "aws:ec2/natGateway:NatGateway": 8,
}
# Plumbing that joins drawn nodes: an edge may pass through these, never through others
# (a VPC or subnet joins everything and says nothing).
PASS_THROUGH = frozenset(
    {
        "aws:ec2/launchTemplate:LaunchTemplate",
        "aws:lb/listener:Listener",
        "aws:lb/listenerRule:ListenerRule",
        "aws:rds/proxyTarget:ProxyTarget",
        "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup",
        "aws:autoscaling/trafficSourceAttachment:TrafficSourceAttachment",
        "aws:vpclattice/listener:Listener",
        "aws:vpclattice/targetGroup:TargetGroup",
        "aws:vpclattice/serviceNetworkServiceAssociation:ServiceNetworkServiceAssociation",
    }
)


@dataclass(frozen=True)
class Node:
    urn: str
    name: str
    kind: str
    label: str
    tier: int
    group: str


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    label: str = ""


@dataclass(frozen=True)
class Topology:
    stack: str
    nodes: list[Node]
    edges: list[Edge]


def describe(resource: PlannedResource) -> str:
    """A short second line for a node: size, count, mode."""
    i = resource.inputs
    kind = resource.type.split(":")[-1]
    if resource.type == "aws:autoscaling/group:Group":
        low, high = as_int(i.get("minSize")), as_int(i.get("maxSize"))
        return f"ASG {low}-{high}, desired {as_int(i.get('desiredCapacity'))}"
    if resource.type == "aws:rds/instance:Instance":
        role = "replica" if i.get("replicateSourceDb") else "primary"
        az = " Multi-AZ" if is_true(i.get("multiAz")) else ""
        return f"RDS {i.get('instanceClass', '')}{az} {role}"
    if resource.type == "aws:elasticache/replicationGroup:ReplicationGroup":
        return f"Redis {as_int(i.get('numCacheClusters'), 1)} x {i.get('nodeType', '')}"
    names = {
        "Distribution": "CloudFront",
        "LoadBalancer": "ALB",
        "Bucket": "S3",
        "TargetGroup": "target group",
        "Proxy": "RDS Proxy",
        "NatGateway": "NAT",
        "Service": "Lattice service",
        "ServiceNetwork": "Lattice network",
    }
    return names.get(kind, kind)


def _group(resource: PlannedResource) -> str:
    """The top-level component the resource sits in, e.g. ``data:Database``."""
    path = resource.urn.split("::")[2] if resource.urn.count("::") >= 3 else ""
    first = path.split("$")[0]
    return ":".join(first.split(":")[1:]) if first.count(":") >= 2 and "$" in path else ""


def build_topology(plan: Plan) -> Topology:
    resources = plan.by_urn()
    drawn = {urn: r for urn, r in resources.items() if r.custom and r.type in TIERS}
    nodes = [
        Node(urn, r.name, r.type, describe(r), TIERS[r.type], _group(r))
        for urn, r in sorted(drawn.items())
    ]
    edges: set[tuple[str, str, str]] = set()
    for urn, resource in resources.items():
        if not resource.custom:
            continue
        reached = _dependencies_drawn(urn, drawn, resources)
        if urn in drawn:
            edges.update(_orient(drawn[urn], drawn[other]) for other in reached)
        elif resource.type in PASS_THROUGH and not _has_dependents(urn, resources):
            # a connector (listener, proxy target): joins everything it points at
            ends = sorted(reached)
            edges.update(
                _orient(drawn[a], drawn[b])
                for a in ends
                for b in ends
                if a < b and TIERS[drawn[a].type] != TIERS[drawn[b].type]
            )
    ordered = [Edge(a, b, label) for a, b, label in sorted(edges)]
    return Topology(plan.stack, nodes, ordered)


def _has_dependents(urn: str, resources: dict[str, PlannedResource]) -> bool:
    return any(urn in r.dependencies for r in resources.values())


def _dependencies_drawn(
    start: str, drawn: dict[str, PlannedResource], resources: dict[str, PlannedResource]
) -> set[str]:
    """Drawn nodes ``start`` depends on, directly or through pass-through plumbing."""
    found: set[str] = set()
    seen = {start}
    frontier = [start]
    while frontier:
        for dep in resources[frontier.pop()].dependencies:
            if dep in seen or dep not in resources:
                continue
            seen.add(dep)
            if dep in drawn:
                found.add(dep)
            elif resources[dep].type in PASS_THROUGH:
                frontier.append(dep)
    return found


def _orient(a: PlannedResource, b: PlannedResource) -> tuple[str, str, str]:
    """Traffic flows from the lower tier; a replica hangs off its primary."""
    if TIERS[a.type] != TIERS[b.type]:
        first, second = (a, b) if TIERS[a.type] < TIERS[b.type] else (b, a)
        return first.urn, second.urn, ""
    label = "replicates" if a.type == b.type == "aws:rds/instance:Instance" else ""
    if b.urn in a.dependencies:  # a depends on b: b is the source (primary -> replica)
        return b.urn, a.urn, label
    return a.urn, b.urn, label
