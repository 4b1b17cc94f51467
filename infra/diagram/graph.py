"""The topology graph: the resources people draw, joined through the plumbing between them."""

from __future__ import annotations

from dataclasses import dataclass

from infra.plan.inputs import as_bool, as_int
from infra.plan.model import Plan, PlannedResource
from infra.plan.types import facts
from infra.plan.types import tokens as t


def tier(token: str) -> int | None:
    """The catalogue's diagram tier of a type; None: not drawn."""
    found = facts(token)
    return found.tier if found is not None else None


def is_connector(token: str) -> bool:
    """Plumbing an edge may pass through (a VPC or subnet joins everything and says nothing,
    so it is not one)."""
    found = facts(token)
    return found is not None and found.connector


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
    if resource.type == t.AUTOSCALING_GROUP:
        low, high = as_int(i.get("minSize")), as_int(i.get("maxSize"))
        return f"ASG {low}-{high}, desired {as_int(i.get('desiredCapacity'))}"
    if resource.type == t.RDS_INSTANCE:
        role = "replica" if i.get("replicateSourceDb") else "primary"
        az = " Multi-AZ" if as_bool(i.get("multiAz")) else ""
        return f"RDS {i.get('instanceClass', '')}{az} {role}"
    if resource.type == t.REPLICATION_GROUP:
        return f"Redis {as_int(i.get('numCacheClusters'), 1)} x {i.get('nodeType', '')}"
    found = facts(resource.type)
    return found.label if found is not None and found.label else resource.type.split(":")[-1]


def _tier(resource: PlannedResource) -> int:
    """The tier of a drawn resource (only drawn ones reach here)."""
    return tier(resource.type) or 0


def _group(resource: PlannedResource) -> str:
    """The top-level component the resource sits in, e.g. ``data:Database``."""
    path = resource.urn.split("::")[2] if resource.urn.count("::") >= 3 else ""
    first = path.split("$")[0]
    return ":".join(first.split(":")[1:]) if first.count(":") >= 2 and "$" in path else ""


def build_topology(plan: Plan) -> Topology:
    resources = plan.by_urn()
    drawn = {urn: r for urn, r in resources.items() if r.custom and tier(r.type) is not None}
    nodes = [
        Node(urn, r.name, r.type, describe(r), _tier(r), _group(r))
        for urn, r in sorted(drawn.items())
    ]
    edges: set[tuple[str, str, str]] = set()
    for urn, resource in resources.items():
        if not resource.custom:
            continue
        reached = _dependencies_drawn(urn, drawn, resources)
        if urn in drawn:
            edges.update(_orient(drawn[urn], drawn[other]) for other in reached)
        elif is_connector(resource.type) and not _has_dependents(urn, resources):
            # a connector (listener, proxy target): joins everything it points at
            ends = sorted(reached)
            edges.update(
                _orient(drawn[a], drawn[b])
                for a in ends
                for b in ends
                if a < b and _tier(drawn[a]) != _tier(drawn[b])
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
            elif is_connector(resources[dep].type):
                frontier.append(dep)
    return found


def _orient(a: PlannedResource, b: PlannedResource) -> tuple[str, str, str]:
    """Traffic flows from the lower tier; a replica hangs off its primary."""
    if _tier(a) != _tier(b):
        first, second = (a, b) if _tier(a) < _tier(b) else (b, a)
        return first.urn, second.urn, ""
    label = "replicates" if a.type == b.type == t.RDS_INSTANCE else ""
    if b.urn in a.dependencies:  # a depends on b: b is the source (primary -> replica)
        return b.urn, a.urn, label
    return a.urn, b.urn, label
