"""Mermaid flowchart text of a topology, grouped by component."""

from __future__ import annotations

import re

from infra.diagram.graph import Topology

INTERNET = "internet"


def node_id(urn: str) -> str:
    return "n_" + re.sub(r"[^A-Za-z0-9_]", "_", urn.rsplit("::", 1)[-1])


def to_mermaid(topology: Topology) -> str:
    lines = ["flowchart LR", f'  {INTERNET}(("Users"))']
    groups: dict[str, list[str]] = {}
    for node in topology.nodes:
        text = f'  {node_id(node.urn)}["{node.name}<br/>{node.label}"]'
        groups.setdefault(node.group, []).append(text)
    for group, members in sorted(groups.items()):
        if group:
            lines.append(f'  subgraph {re.sub(r"[^A-Za-z0-9_]", "_", group)}["{group}"]')
            lines += ["  " + member for member in members]
            lines.append("  end")
        else:
            lines += members
    for node in topology.nodes:
        if node.tier == 1 or (node.tier == 2 and "ALB" in node.label):
            lines.append(f"  {INTERNET} --> {node_id(node.urn)}")
    for edge in topology.edges:
        arrow = f" -.->|{edge.label}| " if edge.label else " --> "
        lines.append(f"  {node_id(edge.source)}{arrow}{node_id(edge.target)}")
    return "\n".join(lines) + "\n"
