"""The promotion's judges step: policy and validation (cfn-lint, checkov, our limits), offline.

Runs before preflight touches the account, so an invalid plan stops the promotion before
anything is asked of AWS. Results are reported as check rows, one per judge and one per
unwaived error.
"""

from __future__ import annotations

from infra.checks.results import CheckResult
from infra.plan.model import Plan
from infra.policy.evaluate import evaluate
from infra.policy.rules import ALL_RULES, rule_ids
from infra.policy.suppressions import DEFAULT_FILE, load_suppressions
from infra.validate.checkov_judge import find_checkov
from infra.validate.model import ERROR, ValidationResult
from infra.validate.run import JUDGES, validate_plan


def judge(plan: Plan, region: str) -> tuple[list[CheckResult], ValidationResult]:
    """Policy beside validation, as check rows (``fail`` rows stop the promotion)."""
    policy = evaluate(plan, ALL_RULES, load_suppressions(DEFAULT_FILE, set(rule_ids())))
    rows = [
        CheckResult(
            "policy",
            plan.stack,
            "ok" if policy.ok else "fail",
            f"{len(policy.violations)} violation(s), {policy.passed} passed, "
            f"{len(policy.suppressed)} suppressed",
        )
    ]
    rows += [CheckResult(f"policy {v.rule}", v.name, "fail", v.message) for v in policy.violations]
    judges = [j for j in JUDGES if j != "checkov" or find_checkov() is not None]
    validation = validate_plan(plan, region, judges=judges)
    counts = validation.counts()
    for tool in (*JUDGES, "waivers"):
        if tool not in judges and tool != "waivers":
            rows.append(CheckResult(tool, plan.stack, "not-emulated", "not installed"))
            continue
        row = counts[tool]
        if tool == "waivers" and not row[ERROR]:
            continue
        rows.append(
            CheckResult(
                tool,
                plan.stack,
                "fail" if row[ERROR] else "ok",
                f"{row[ERROR]} error(s), {row['warning']} warning(s), {row['waived']} waived",
            )
        )
    rows += [
        CheckResult(f"{f.tool} {f.rule}", f.name, "fail", f.message[:200])
        for f in validation.unwaived()
        if f.severity == ERROR
    ]
    return rows, validation
