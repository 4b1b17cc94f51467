"""Diagram: Mermaid text from a crafted plan and the real phases; graphviz images."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from infra.diagram.graph import build_topology
from infra.diagram.graphviz import dot_available
from infra.diagram.mermaid import to_mermaid
from infra.plan.model import Plan
from tests.infra.factories import compliant_plan


def test_crafted_topology_edges() -> None:
    topology = build_topology(compliant_plan())
    names = {n.urn: n.name for n in topology.nodes}
    edges = {(names[e.source], names[e.target]) for e in topology.edges}
    assert ("gm-cdn", "gm-alb") in edges and ("gm-cdn", "gm-assets") in edges
    assert ("gm-alb", "gm-api-tg") in edges  # joined through the listener
    assert ("gm-api-tg", "gm-api-asg") in edges
    assert ("gm-api-asg", "gm-db") in edges  # through the launch template
    assert "gm-vpc" not in names.values()


def test_mermaid_of_phase_3_shows_shards_and_proxies(phase_plans: dict[int, Plan]) -> None:
    text = to_mermaid(build_topology(phase_plans[3]))
    assert text.startswith("flowchart LR")
    assert "gm-db-shard-2" in text and "RDS Proxy" in text and "-.->|replicates|" in text


def test_diagram_command_prints_mermaid(runner: CliRunner, tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(compliant_plan().to_json())
    result = runner.invoke(app, ["diagram", "--plan", str(plan)])
    assert result.exit_code == 0 and result.stdout.startswith("flowchart LR")


@pytest.mark.parametrize("suffix", [".svg", ".png"])
def test_diagram_images_with_graphviz(runner: CliRunner, tmp_path: Path, suffix: str) -> None:
    if not dot_available():
        if os.environ.get("GM_REQUIRE_SERVICES") == "1":
            pytest.fail("graphviz `dot` is required (GM_REQUIRE_SERVICES=1)")
        pytest.skip("graphviz `dot` is not installed (apt-get install graphviz)")
    plan = tmp_path / "plan.json"
    plan.write_text(compliant_plan().to_json())
    out = tmp_path / f"topology{suffix}"
    result = runner.invoke(app, ["diagram", "--plan", str(plan), "--out", str(out)])
    assert result.exit_code == 0, result.output
    head = out.read_bytes()[:64]
    assert (b"<svg" in out.read_bytes()[:400]) if suffix == ".svg" else head.startswith(b"\x89PNG")
