"""Plan the program as it stands at a git ref: a temporary worktree and a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from infra.errors import BadInputError
from infra.plan.model import Plan

BUILDER = Path("infra/plan/build.py")
SCRIPT = (
    "import sys\n"
    "from infra.plan import build\n"
    "plan = build.plan_for_phase(int(sys.argv[2])) if sys.argv[1] == 'phase' "
    "else build.plan_for_stack(sys.argv[2])\n"
    "sys.stdout.write(plan.to_json())\n"
)


def repo_root(start: Path | None = None) -> Path:
    result = run_git(["rev-parse", "--show-toplevel"], start or Path.cwd())
    return Path(result.strip())


def plan_at_ref(
    ref: str, *, phase: int | None = None, stack: str | None = None, repo: Path | None = None
) -> Plan:
    """The plan ``ref``'s own program and plan builder produce for the phase or stack."""
    if (phase is None) == (stack is None):
        raise BadInputError("--base-ref needs exactly one of --phase N or --stack S")
    root = repo or repo_root()
    run_git(
        ["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
        root,
        error=f"git ref {ref!r} does not exist",
        hint="git fetch origin, then retry",
    )
    with tempfile.TemporaryDirectory(prefix="gm-base-") as scratch:
        tree = Path(scratch) / "tree"
        run_git(
            ["worktree", "add", "--detach", "--quiet", str(tree), ref],
            root,
            error=f"cannot check out {ref} in a worktree",
        )
        try:
            if not (tree / BUILDER).exists():
                raise BadInputError(
                    f"{ref} has no plan builder ({BUILDER}): it predates offline plans",
                    "diff against a later ref, or plan files: --from-plan A --to-plan B",
                )
            kind, value = ("phase", str(phase)) if phase is not None else ("stack", str(stack))
            env = {**os.environ, "PYTHONPATH": str(tree)}
            result = subprocess.run(
                [sys.executable, "-c", SCRIPT, kind, value],
                cwd=tree,
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            if result.returncode != 0:
                last = (result.stderr.strip().splitlines() or ["no output"])[-1]
                raise BadInputError(f"planning {kind} {value} at {ref} failed: {last}")
            out = Path(scratch) / "base.json"
            out.write_text(result.stdout)
            return Plan.load(out)
        finally:
            run_git(["worktree", "remove", "--force", str(tree)], root, check=False)


def run_git(
    args: list[str],
    cwd: Path,
    *,
    error: str | None = None,
    hint: str | None = None,
    check: bool = True,
) -> str:
    result = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=120
    )
    if check and result.returncode != 0:
        raise BadInputError(error or f"git {' '.join(args)} failed: {result.stderr.strip()}", hint)
    return result.stdout
