"""The two sides of a preview, each planned once per target.

Head: the working tree, in this process, through the content-addressed plan cache.
Base: the ref's own program and planner in one temporary worktree and one subprocess for
all targets, started first so it runs beside the head's planning. Its plans are cached by
the ref's tree hash (the plan is a pure function of the tree and the Pulumi SDK versions),
so a warm run needs neither worktree nor subprocess.
"""

from __future__ import annotations

import hashlib
import subprocess
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from infra.errors import BadInputError
from infra.paths import project
from infra.plan import cache
from infra.plan.elsewhere import collect_plans, plans_in, start_plans
from infra.plan.gitref import BUILDER, resolve_commit, run_git, worktree_env
from infra.plan.model import Plan
from infra.preview.targets import Target
from infra.settings import Settings


@dataclass(frozen=True)
class Ref:
    """A commit as the headline names it: ``origin/main@abc1234``."""

    name: str
    sha: str
    tree: str

    @property
    def label(self) -> str:
        return f"{self.name}@{self.sha[:7]}"


def resolve_ref(ref: str, root: Path) -> Ref:
    sha = resolve_commit(ref, root)
    tree = run_git(["rev-parse", f"{sha}^{{tree}}"], root).strip()
    return Ref(ref, sha, tree)


def head_label(root: Path) -> str:
    """``HEAD@def5678``, marked when the working tree differs from it."""
    sha = run_git(["rev-parse", "HEAD"], root).strip()
    dirty = run_git(["status", "--porcelain", "--untracked-files=no"], root).strip()
    return f"HEAD@{sha[:7]}" + (" + uncommitted changes" if dirty else "")


def _base_key(ref: Ref, target: Target) -> str:
    digest = hashlib.sha256(f"{ref.tree}\n{target.arg}\n".encode())
    for package in cache.PACKAGES:
        digest.update(f"{package}=={metadata.version(package)}".encode())
    return "ref-" + digest.hexdigest()


class BasePlanner:
    """Plans of the base ref: cached ones at once, the rest in one background subprocess."""

    def __init__(self, ref: Ref, targets: list[Target], root: Path) -> None:
        self.ref = ref
        self.root = root
        self.plans: dict[Target, Plan] = {}
        self.missing: list[Target] = []
        # Stacks whose file the ref does not have: new on this branch, nothing to compare.
        self.absent = {t for t in targets if t.kind == "stack" and not stack_at(ref.sha, root, t)}
        for target in (t for t in targets if t not in self.absent):
            found = cache.load_cached(_base_key(ref, target)) if cache.cache_enabled() else None
            if found is None:
                self.missing.append(target)
            else:
                self.plans[target] = found
        self._scratch: tempfile.TemporaryDirectory[str] | None = None
        self._tree: Path | None = None
        self._process: subprocess.Popen[str] | None = None

    def start(self) -> None:
        """Check out the ref and start planning what the cache lacks (returns at once)."""
        if not self.missing:
            return
        self._scratch = tempfile.TemporaryDirectory(
            prefix="gm-preview-", ignore_cleanup_errors=True
        )
        tree = Path(self._scratch.name) / "tree"
        self._tree = tree  # set first: an interrupt during the checkout still removes it
        run_git(
            ["worktree", "add", "--detach", "--quiet", str(tree), self.ref.sha],
            self.root,
            error=f"cannot check out {self.ref.name} in a worktree",
        )
        if not (tree / BUILDER).exists():
            self.close()
            raise BadInputError(
                f"{self.ref.name} has no plan builder ({BUILDER}): it predates offline plans",
                "preview against a later ref",
            )
        # The base's own cache would live in the throw-away worktree: off.
        env = {**worktree_env(), "GM_INFRA_PLAN_CACHE": "0"}
        self._process = start_plans(tree, [t.arg for t in self.missing], env)

    def finish(self) -> dict[Target, Plan]:
        """Wait for the subprocess, cache its plans and return every base plan."""
        try:
            if self._process is not None:
                found = collect_plans(self._process, self.ref.label)
                for target, plan in zip(self.missing, found, strict=True):
                    self.plans[target] = plan
                    if cache.cache_enabled():
                        cache.store(_base_key(self.ref, target), plan)
            return self.plans
        finally:
            self.close()

    def close(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        if self._tree is not None:
            run_git(["worktree", "remove", "--force", str(self._tree)], self.root, check=False)
            run_git(["worktree", "prune"], self.root, check=False)
            self._tree = None
        if self._scratch is not None:
            self._scratch.cleanup()
            self._scratch = None


def stack_at(sha: str, root: Path, target: Target) -> bool:
    from infra.paths import stacks_dir
    from infra.preview.affected import stack_at as file_at

    directory = stacks_dir()
    if not directory.resolve().is_relative_to(root.resolve()):
        return True  # stack files kept outside the repository: the ref cannot say
    return file_at(sha, root, directory, target.value)


def empty_like(plan: Plan) -> Plan:
    """The base of a stack that does not exist yet: nothing deployed."""
    return Plan(project=plan.project, stack=plan.stack, phase=plan.phase, resources=[], outputs={})


def head_plans(targets: list[Target], root: Path) -> dict[Target, Plan]:
    """The working tree's plans: in this process when the project is gm-infra's own checkout,
    else by the project's own program (one subprocess)."""
    here = project()
    if here.root == root and not here.is_install:
        found = plans_in(root, [t.arg for t in targets], "the working tree")
        return dict(zip(targets, found, strict=True))
    return {target: head_plan(target, root) for target in targets}


def head_plan(target: Target, root: Path) -> Plan:
    """The working tree's plan; pulumi is imported only when the cache misses."""
    from infra.stack_files import settings_for_phase, settings_for_stack

    settings = (
        settings_for_phase(int(target.value))
        if target.kind == "phase"
        else settings_for_stack(target.value)
    )
    return cache.through_cache(settings, root, _record)


def _record(settings: Settings, root: Path) -> Plan:
    from infra.plan.build import record_plan  # imports pulumi: only when the cache misses

    return record_plan(settings, root)
