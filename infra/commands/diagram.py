"""``gm-infra diagram``: the topology of a plan as Mermaid, or PNG/SVG through graphviz."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from infra.commands.options import PhaseOption, PlanFileOption, StackOption, out_option
from infra.errors import BadInputError

# What --out can be, by suffix: Mermaid text, graphviz source, or an image graphviz draws.
FORMATS = (".mmd", ".md", ".dot", ".png", ".svg")

OutOption = Annotated[
    Path | None,
    out_option(
        "Write here: .mmd/.md (Mermaid), .dot, .png or .svg "
        "(graphviz). Without it, Mermaid goes to stdout."
    ),
]


def diagram(
    phase: PhaseOption = None,
    stack: StackOption = None,
    plan: PlanFileOption = None,
    out: OutOption = None,
) -> None:
    """Draw the topology of a phase or stack: edge, load balancing, compute, data.

    Example: gm-infra diagram --phase 3 --out phase3.svg
    """
    if out is not None and out.suffix.lower() not in FORMATS:
        raise BadInputError(
            f"--out {out}: cannot write {out.suffix or 'a file without a suffix'}",
            hint=f"name a file ending in {', '.join(FORMATS)}",
        )
    from infra.diagram.graph import build_topology
    from infra.diagram.graphviz import render_image, to_dot
    from infra.diagram.mermaid import to_mermaid
    from infra.plan.load import load_plan

    topology = build_topology(load_plan(phase, stack, plan))
    if out is None:
        typer.echo(to_mermaid(topology), nl=False)
        return
    suffix = out.suffix.lower()
    if suffix in {".png", ".svg"}:
        render_image(topology, out)
    elif suffix == ".dot":
        out.write_text(to_dot(topology))
    elif suffix == ".md":
        out.write_text(f"```mermaid\n{to_mermaid(topology)}```\n")
    else:  # .mmd
        out.write_text(to_mermaid(topology))
    typer.echo(f"wrote {out} ({len(topology.nodes)} nodes, {len(topology.edges)} edges)", err=True)


def register(root: typer.Typer) -> None:
    root.command("diagram")(diagram)
