"""The GitHub workflows pass actionlint (with shellcheck on their run scripts when installed)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

from .conftest import require_tool

WORKFLOWS = Path(__file__).resolve().parents[2] / ".github" / "workflows"


def test_workflows_pass_actionlint() -> None:
    actionlint = require_tool("actionlint")
    files = sorted(str(path) for path in WORKFLOWS.glob("*.yml"))
    assert files, "no workflows"
    result = subprocess.run(
        [actionlint, *files], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_preview_is_safe_for_forks() -> None:
    preview = yaml.safe_load((WORKFLOWS / "pr-preview.yml").read_text())
    assert preview["permissions"] == {"contents": "read"}
    comment = yaml.safe_load((WORKFLOWS / "pr-comment.yml").read_text())
    steps = comment["jobs"]["comment"]["steps"]
    assert not any("checkout" in str(step.get("uses", "")) for step in steps)
