"""DOT text of a topology and, when graphviz's ``dot`` is installed, PNG or SVG."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from infra.diagram.graph import Topology
from infra.diagram.mermaid import INTERNET, node_id
from infra.errors import BadInputError


def to_dot(topology: Topology) -> str:
    lines = [
        f'digraph "{topology.stack}" {{',
        "  rankdir=LR;",
        '  node [shape=box, style="rounded", fontname="Helvetica"];',
        f'  {INTERNET} [label="Users", shape=ellipse];',
    ]
    groups: dict[str, list[str]] = {}
    for node in topology.nodes:
        groups.setdefault(node.group, []).append(
            f'    {node_id(node.urn)} [label="{node.name}\\n{node.label}"];'
        )
    for number, (group, members) in enumerate(sorted(groups.items())):
        if group:
            lines += [f"  subgraph cluster_{number} {{", f'    label="{group}";', *members, "  }"]
        else:
            lines += members
    for node in topology.nodes:
        if node.tier == 1 or (node.tier == 2 and "ALB" in node.label):
            lines.append(f"  {INTERNET} -> {node_id(node.urn)};")
    for edge in topology.edges:
        style = f' [style=dashed, label="{edge.label}"]' if edge.label else ""
        lines.append(f"  {node_id(edge.source)} -> {node_id(edge.target)}{style};")
    return "\n".join(lines) + "\n}\n"


def dot_available() -> bool:
    return shutil.which("dot") is not None


def render_image(topology: Topology, out: Path) -> None:
    """Write ``out`` (.png or .svg) with graphviz; a clear error when it is missing."""
    fmt = out.suffix.lstrip(".").lower()
    if fmt not in {"png", "svg"}:
        raise BadInputError(f"{out}: images are .png or .svg", "or write .mmd / .dot text")
    if not dot_available():
        raise BadInputError(
            "graphviz is not installed: no `dot` on PATH",
            "apt-get install graphviz, or write Mermaid with --out FILE.mmd",
        )
    result = subprocess.run(
        ["dot", f"-T{fmt}", "-o", str(out)],
        input=to_dot(topology),
        text=True,
        capture_output=True,
        check=False,
        timeout=60,
    )
    if result.returncode != 0:
        raise BadInputError(f"dot failed: {result.stderr.strip()}")
