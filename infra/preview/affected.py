"""Which stacks a change deploys: the default targets of ``gm-infra preview`` and
``gm-infra diff --base-ref``.

A stack is previewed when its own file (``Pulumi.<stack>.yaml`` under the project's stack
folder) changed, or when anything every stack is built from changed: the program and its
profiles (``infra/**.py``, ``infra/**.yaml``), the templates or the app the instances run.
A stack whose plan comes out the same is shown as unchanged, in one line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from infra.plan.gitref import run_git
from infra.preview.targets import Target

STACK_FILE = re.compile(r"^Pulumi\.([A-Za-z0-9_.-]{1,100})\.yaml$")


@dataclass(frozen=True)
class Affected:
    targets: list[Target]
    reason: str  # for the progress line: why these stacks


def changed_paths(sha: str, root: Path) -> list[str]:
    """Files that differ between commit ``sha`` and the working tree (new files included)."""
    tracked = run_git(["diff", "--name-only", sha, "--"], root).splitlines()
    new = run_git(["ls-files", "--others", "--exclude-standard"], root).splitlines()
    return sorted({p for p in (*tracked, *new) if p})


def builds_every_stack(path: str, stacks_rel: str) -> bool:
    """True for a file every stack's plan is built from."""
    parts = PurePosixPath(path)
    if str(parts.parent) == stacks_rel and STACK_FILE.match(parts.name):
        return False
    if path.startswith("infra/") and parts.suffix in {".py", ".yaml", ".yml", ".j2"}:
        return True
    return path.startswith(("templates/", "app/")) or path == "pyproject.toml"


def affected_targets(sha: str, root: Path, stacks_dir: Path) -> Affected:
    """The stacks the change from ``sha`` to the working tree deploys."""
    from infra.stack_files import known_stacks

    present = known_stacks(stacks_dir)
    if not stacks_dir.resolve().is_relative_to(root.resolve()):
        return Affected([Target("stack", s) for s in present], "stack files outside the repo")
    stacks_rel = stacks_dir.resolve().relative_to(root.resolve()).as_posix()
    changed = changed_paths(sha, root)
    program = [p for p in changed if builds_every_stack(p, stacks_rel)]
    if program:
        shown = ", ".join(program[:3]) + (
            f" and {len(program) - 3} more" if len(program) > 3 else ""
        )
        return Affected([Target("stack", s) for s in present], f"{shown} changed: every stack")
    touched = []
    for path in changed:
        parts = PurePosixPath(path)
        found = STACK_FILE.match(parts.name)
        if str(parts.parent) == stacks_rel and found and found.group(1) in present:
            touched.append(found.group(1))
    reason = f"stack files changed: {', '.join(touched)}" if touched else "no stack changes"
    return Affected([Target("stack", s) for s in sorted(touched)], reason)


def stack_at(sha: str, root: Path, stacks_dir: Path, stack: str) -> bool:
    """Whether the stack's file exists at commit ``sha`` (a new stack has no base)."""
    rel = stacks_dir.resolve().relative_to(root.resolve()).as_posix()
    found = run_git(["cat-file", "-t", f"{sha}:{rel}/Pulumi.{stack}.yaml"], root, check=False)
    return found.strip() == "blob"
