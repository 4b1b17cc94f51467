"""Assemble the preview: plan both sides once per target, compare, render, fit."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.cost.report import money
from infra.cost.tables import load_prices, load_usage
from infra.paths import project
from infra.pr_comment import COMMENT_MARKER
from infra.preview.blocks import Block
from infra.preview.compare import Compared, compare_target
from infra.preview.fit import LIMIT, fit
from infra.preview.sections import target_blocks
from infra.preview.sides import BasePlanner, empty_like, head_label, head_plans, resolve_ref
from infra.preview.targets import Target

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Preview:
    base: str  # "origin/main@abc1234"
    head: str  # "HEAD@def5678"
    results: list[Compared]
    # Why these targets (the default: the stacks the change deploys); "" when named.
    scope: str = ""

    @property
    def policy_ok(self) -> bool:
        return all(c.policy.ok for c in self.results)

    @property
    def validation_ok(self) -> bool:
        return all(c.validation is None or c.validation.passed for c in self.results)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.policy_ok and self.validation_ok,
            "base": self.base,
            "head": self.head,
            "scope": self.scope,
            "targets": [
                {
                    "target": c.target.label,
                    "diff": c.diff.to_dict(),
                    "cost": c.cost.to_dict(),
                    "policy": c.policy.to_dict(),
                    "userData": [{"name": s.name, "diff": s.diff} for s in c.scripts],
                    "validation": c.validation.to_dict() if c.validation else None,
                }
                for c in self.results
            ],
        }


def build_preview(
    base_ref: str,
    targets: list[Target] | None,
    root: Path | None = None,
    progress: Progress | None = None,
    validate: bool = True,
) -> Preview:
    """Each side of each target planned once: the base in a background subprocess while the
    head plans here (``targets`` None: the stacks the change deploys, ``affected.py``);
    then diff, cost, policy and user data from those plans, and (``validate``) gm-infra
    validate on the head plan of each changed target."""
    say = progress or (lambda _msg: None)
    root = root or project().root
    ref = resolve_ref(base_ref, root)
    scope = ""
    if targets is None:
        from infra.paths import stacks_dir
        from infra.preview.affected import affected_targets

        affected = affected_targets(ref.sha, root, stacks_dir())
        targets, scope = affected.targets, affected.reason
        say(f"previewing {', '.join(t.label for t in targets) or 'no stack'} ({scope})")
        if not targets:
            return Preview(ref.label, head_label(root), [], scope)
    base = BasePlanner(ref, targets, root)
    if base.missing:
        say(f"planning {ref.label} ({', '.join(t.label for t in base.missing)}) in the background")
    try:
        base.start()
        say(f"planning {', '.join(t.label for t in targets)} at the working tree")
        heads = head_plans(targets, root)
    except BaseException:
        base.close()
        raise
    before = base.finish()
    before.update({t: empty_like(heads[t]) for t in base.absent})
    labels = (ref.label, head_label(root))
    prices = load_prices()
    usage = functools.cache(load_usage)  # one read of the usage tables per phase
    results = [compare_target(t, before[t], heads[t], labels, prices, usage) for t in targets]
    if validate:
        results = _with_validation(results, say)
    return Preview(labels[0], labels[1], results, scope)


def _with_validation(results: list[Compared], say: Progress) -> list[Compared]:
    """Judge the head plans of the changed targets together (their checkov runs overlap);
    an unchanged target keeps the verdict its base had, so it is not judged again."""
    from infra.validate.region import region_for
    from infra.validate.run import available_judges, validate_plans

    changed = [c for c in results if not c.diff.empty]
    if not changed:
        return results
    judges = available_judges()
    if "checkov" not in judges:
        say("checkov is not installed: validating with cfn-lint and limits")
    say(f"validating {', '.join(c.target.label for c in changed)}")
    verdicts = validate_plans(
        [(c.after, region_for(c.after, None, None)) for c in changed], judges=judges
    )
    judged = {id(c): v for c, v in zip(changed, verdicts, strict=True)}
    return [dataclasses.replace(c, validation=judged.get(id(c))) for c in results]


def comment_blocks(preview: Preview) -> list[Block]:
    changed = [c for c in preview.results if not c.diff.empty]
    delta = sum(c.cost.delta for c in preview.results)
    lines = [
        COMMENT_MARKER,
        f"## Infrastructure preview: `{preview.base}` → `{preview.head}`",
        "",
        f"**{len(changed)} of {len(preview.results)} changed** · monthly cost "
        f"{money(delta, signed=True)} · policy {'passed' if preview.policy_ok else 'FAILED'}"
        f" · validation {_validation_word(preview, changed)}",
    ]
    if not preview.results:
        lines[-1] = f"**No stack changes** ({preview.scope}): nothing this change touches deploys."
    blocks = [Block("headline", "", "\n".join(lines) + "\n")]
    unchanged = [c for c in preview.results if c.diff.empty]
    for c in preview.results:
        if c in unchanged:
            continue
        blocks += target_blocks(c)
    if unchanged:
        lines = [b.text for c in unchanged for b in target_blocks(c)]
        blocks.append(Block("unchanged", "", "\n".join(lines) + "\n"))
    return blocks


def _validation_word(preview: Preview, changed: list[Compared]) -> str:
    """An honest verdict: a judge that did not run is not said to have passed."""
    if not preview.validation_ok:
        return "FAILED"
    if any(c.validation is None for c in changed):
        return "not run (--no-validate)"
    if not changed:
        return "nothing to judge"
    skipped = sorted({s for c in changed if c.validation for s in c.validation.skipped})
    return f"passed without {', '.join(skipped)} (not installed)" if skipped else "passed"


def comment_markdown(preview: Preview, limit: int = LIMIT) -> str:
    return fit(comment_blocks(preview), limit)
