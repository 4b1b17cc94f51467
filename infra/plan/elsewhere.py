"""Plans made by another tree's own program: a git ref's worktree, or the project you stand
in when it is not the checkout gm-infra runs from (a second clone).

One subprocess for all targets, with that tree first on ``PYTHONPATH`` and as its working
directory, so its program, profiles, templates and stack files are the ones that plan.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from infra.children import track
from infra.errors import EXIT_BAD_INPUT, BadInputError, ExternalError
from infra.plan.model import Plan

# Runs with the other tree's own ``infra`` (``phase=2`` or ``stack=S`` per argument).
# A known error (one with an exit code) ends it with that code and ``error: ...`` on stderr.
PLANS_SCRIPT = (
    "import json, sys\n"
    "from infra.plan import build\n"
    "plans = []\n"
    "try:\n"
    "    for arg in sys.argv[1:]:\n"
    "        kind, _, value = arg.partition('=')\n"
    "        plan = (build.plan_for_phase(int(value)) if kind == 'phase'\n"
    "                else build.plan_for_stack(value))\n"
    "        plans.append(json.loads(plan.to_json()))\n"
    "except Exception as error:\n"
    "    code = getattr(error, 'exit_code', None)\n"
    "    if code is None:\n"
    "        raise\n"
    "    sys.stderr.write(f'error: {getattr(error, \"message\", error)}\\n')\n"
    "    sys.exit(code)\n"
    "sys.stdout.write(json.dumps(plans))\n"
)


def start_plans(
    tree: Path, args: list[str], env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    """Start planning ``args`` (``phase=N`` / ``stack=S``) with ``tree``'s program."""
    full = {**os.environ, **(env or {}), "PYTHONPATH": str(tree)}
    process = subprocess.Popen(
        [sys.executable, "-c", PLANS_SCRIPT, *args],
        cwd=tree,
        env=full,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    track(process)
    return process


def collect_plans(process: subprocess.Popen[str], label: str) -> list[Plan]:
    """Wait for ``start_plans`` and read its plans; a failure names its last line."""
    try:
        out, err = process.communicate(timeout=600)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise ExternalError(f"planning {label} took over 10 minutes: stopped") from None
    if process.returncode != 0:
        lines = err.strip().splitlines() or ["no output"]
        said = next((line for line in reversed(lines) if line.startswith("error: ")), lines[-1])
        message = f"planning {label} failed: {said.removeprefix('error: ')}"
        if process.returncode == EXIT_BAD_INPUT:
            raise BadInputError(message)
        raise ExternalError(message)
    return [Plan.from_dict(data) for data in json.loads(out)]


def plans_in(
    tree: Path, args: list[str], label: str, env: dict[str, str] | None = None
) -> list[Plan]:
    """Plan ``args`` with ``tree``'s own program and wait for them."""
    return collect_plans(start_plans(tree, args, env), label)
