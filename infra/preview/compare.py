"""One target at two commits: the diff, the cost change and the head's policy, computed once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from infra.cost.compare import CostComparison, compare
from infra.cost.estimate import estimate
from infra.cost.tables import PriceTable, Usage
from infra.diff.compute import diff_plans
from infra.diff.model import PlanDiff
from infra.plan.model import Plan
from infra.policy.evaluate import evaluate
from infra.policy.model import PolicyResult
from infra.policy.rules import ALL_RULES, rule_ids
from infra.policy.suppressions import DEFAULT_FILE, load_suppressions
from infra.preview.targets import Target
from infra.preview.userdata import ScriptDiff, script_diffs
from infra.validate.model import ValidationResult


@dataclass(frozen=True)
class Compared:
    """Everything the sections of one target are made from (pure data)."""

    target: Target
    before_label: str
    after_label: str
    before: Plan
    after: Plan
    diff: PlanDiff
    cost: CostComparison
    policy: PolicyResult
    scripts: list[ScriptDiff]
    # gm-infra validate on the head plan; judged only for a changed target (None otherwise).
    validation: ValidationResult | None = None


def compare_target(
    target: Target,
    before: Plan,
    after: Plan,
    labels: tuple[str, str],
    prices: PriceTable,
    usage: Callable[[int], Usage],
) -> Compared:
    diff = diff_plans(before, after)
    cost = compare(
        estimate(before, prices, usage(before.phase)),
        estimate(after, prices, usage(after.phase)),
    )
    policy = evaluate(after, ALL_RULES, load_suppressions(DEFAULT_FILE, set(rule_ids())))
    scripts = script_diffs(diff, before, after, *labels)
    return Compared(target, *labels, before, after, diff, cost, policy, scripts)
