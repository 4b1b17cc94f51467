"""The pull-request comment of ``gm-infra diff --format markdown``: the diff, policy, AWS
validity, cost and topology parts, each formatted by its own package, assembled here.

(``gm-infra preview`` builds its multi-target comment in ``infra/preview/`` from the same
parts and starts it with the same marker, so the workflow updates one comment either way.)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from infra.cost.compare import CostComparison, compare
from infra.cost.estimate import estimate
from infra.cost.report import comparison_markdown, cost_headline
from infra.cost.tables import load_prices, load_usage
from infra.diagram.graph import build_topology
from infra.diagram.mermaid import to_mermaid
from infra.diff.compute import diff_plans
from infra.diff.model import PlanDiff
from infra.diff.report import details, headline, stateful_warning, summary_table
from infra.plan.model import Plan
from infra.policy.evaluate import evaluate
from infra.policy.model import PolicyResult
from infra.policy.report import policy_markdown
from infra.policy.rules import ALL_RULES, rule_ids
from infra.policy.suppressions import DEFAULT_FILE, load_suppressions
from infra.validate.model import ValidationResult
from infra.validate.report import validate_markdown

COMMENT_MARKER = "<!-- gm-infra-preview -->"


@dataclass(frozen=True)
class CommentParts:
    diff: PlanDiff
    cost: CostComparison | None = None
    policy: PolicyResult | None = None
    validation: ValidationResult | None = None
    mermaid: str | None = None


def comment_parts(
    before: Plan, after: Plan, usage: Path | None, validation: ValidationResult | None
) -> CommentParts:
    """Every part of the comment for one pair of plans: the after plan is the one judged."""
    prices = load_prices()
    cost = compare(
        estimate(before, prices, load_usage(before.phase, usage)),
        estimate(after, prices, load_usage(after.phase, usage)),
    )
    policy = evaluate(after, ALL_RULES, load_suppressions(DEFAULT_FILE, set(rule_ids())))
    return CommentParts(
        diff=diff_plans(before, after),
        cost=cost,
        policy=policy,
        validation=validation,
        mermaid=to_mermaid(build_topology(after)),
    )


def comment_markdown(parts: CommentParts) -> str:
    diff = parts.diff
    title = headline(diff) + (cost_headline(parts.cost) if parts.cost is not None else "")
    lines = [
        COMMENT_MARKER,
        f"### Infrastructure preview: `{diff.before}` → `{diff.after}`",
        "",
        f"**{title}**",
        "",
        *stateful_warning(diff),
    ]
    if diff.empty:
        lines += ["No resource changes.", ""]
    else:
        lines += [*summary_table(diff), ""]
        lines += details("Changed resources", diff.changed, with_properties=True)
        lines += details("Added resources", diff.added, with_properties=False)
        lines += details("Removed resources", diff.removed, with_properties=False)
    if parts.policy is not None:
        lines += ["#### Policy", "", policy_markdown(parts.policy)]
    if parts.validation is not None:
        lines += [
            "#### AWS validity (cfn-lint, checkov, limits)",
            "",
            validate_markdown(parts.validation),
        ]
    if parts.cost is not None:
        lines += [
            "#### Cost",
            "",
            "<details><summary>Per-resource cost changes</summary>",
            "",
            comparison_markdown(parts.cost),
            "</details>",
            "",
        ]
    if parts.mermaid:
        lines += [
            "#### Topology after the change",
            "",
            "<details><summary>Diagram</summary>",
            "",
            "```mermaid",
            parts.mermaid.rstrip(),
            "```",
            "",
            "</details>",
            "",
        ]
    return "\n".join(lines)
