"""Plan the program as it stands at a git ref: a temporary worktree and a subprocess."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from infra.errors import BadInputError, ExternalError
from infra.paths import project
from infra.plan.elsewhere import plans_in
from infra.plan.model import Plan

BUILDER = Path("infra/plan/build.py")


def repo_root(start: Path | None = None) -> Path:
    """The project's root (the nearest Pulumi.yaml up from ``start`` or the working dir)."""
    return (
        project().root
        if start is None
        else Path(run_git(["rev-parse", "--show-toplevel"], start).strip())
    )


def worktree_env() -> dict[str, str]:
    """Environment for planning in a ref's worktree: its own stack files, not ours."""
    return {k: v for k, v in os.environ.items() if k != "GM_INFRA_STACKS_DIR"}


def resolve_commit(ref: str, root: Path) -> str:
    """The commit ``ref`` names in the repository at ``root`` (exit 2 when it names none)."""
    sha = run_git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], root, check=False)
    if not sha.strip():
        raise BadInputError(
            f"git ref {ref!r} does not exist in {root}",
            hint="git fetch origin (or name a branch, tag or commit of this repository)",
        )
    return sha.strip()


def plan_at_ref(
    ref: str, *, phase: int | None = None, stack: str | None = None, repo: Path | None = None
) -> Plan:
    """The plan ``ref``'s own program and plan builder produce for the phase or stack."""
    if (phase is None) == (stack is None):
        raise BadInputError("--base-ref needs exactly one of --phase N or --stack S")
    root = repo or repo_root()
    sha = resolve_commit(ref, root)
    with tempfile.TemporaryDirectory(prefix="gm-base-", ignore_cleanup_errors=True) as scratch:
        tree = Path(scratch) / "tree"
        try:
            run_git(
                ["worktree", "add", "--detach", "--quiet", str(tree), sha],
                root,
                error=f"cannot check out {ref} in a worktree",
            )
            if not (tree / BUILDER).exists():
                raise BadInputError(
                    f"{ref} has no plan builder ({BUILDER}): it predates offline plans",
                    "diff against a later ref, or plan files: --from-plan A --to-plan B",
                )
            arg = f"phase={phase}" if phase is not None else f"stack={stack}"
            return plans_in(tree, [arg], f"{arg} at {ref}", worktree_env())[0]
        finally:
            run_git(["worktree", "remove", "--force", str(tree)], root, check=False)
            run_git(["worktree", "prune"], root, check=False)


def run_git(
    args: list[str],
    cwd: Path,
    *,
    error: str | None = None,
    hint: str | None = None,
    check: bool = True,
) -> str:
    """git's output; a failure is outside our control (exit 3) and names git's own words."""
    try:
        result = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=120
        )
    except FileNotFoundError:
        raise ExternalError("git is not installed", "install git (apt-get install git)") from None
    except subprocess.TimeoutExpired:
        raise ExternalError(f"git {' '.join(args)} took over 2 minutes") from None
    if check and result.returncode != 0:
        said = (result.stderr.strip().splitlines() or ["no output"])[-1]
        if error is not None:
            raise ExternalError(f"{error}: {said}", hint)
        raise ExternalError(f"git {' '.join(args)} failed: {said}", hint)
    return result.stdout
