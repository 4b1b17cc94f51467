"""Validation runs: export, then cfn-lint (in-process) beside checkov (a subprocess), then
our limits, then the waivers."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

from infra.export.cloudformation import export_plan
from infra.plan.model import Plan
from infra.validate.cfn_lint import run_cfn_lint
from infra.validate.checkov_judge import start_checkov
from infra.validate.limits import check_limits
from infra.validate.model import Finding, ValidationResult
from infra.validate.waivers import DEFAULT_FILE, apply_waivers, load_waivers

JUDGES = ("cfn-lint", "checkov", "gm-limits")


def available_judges() -> list[str]:
    """Every judge, less checkov when it is not installed (the PR comment still validates)."""
    from infra.validate.checkov_judge import find_checkov

    return [j for j in JUDGES if j != "checkov" or find_checkov() is not None]


def validate_plan(
    plan: Plan,
    region: str,
    waivers_file: Path = DEFAULT_FILE,
    judges: Sequence[str] = JUDGES,
    progress: Callable[[str], None] = lambda _: None,
) -> ValidationResult:
    """Every finding of the chosen judges, waived or not; a stale waiver is a finding too."""
    return validate_plans([(plan, region)], waivers_file, judges, progress)[0]


def validate_plans(
    targets: Sequence[tuple[Plan, str]],
    waivers_file: Path = DEFAULT_FILE,
    judges: Sequence[str] = JUDGES,
    progress: Callable[[str], None] = lambda _: None,
) -> list[ValidationResult]:
    """Several plans at once: every checkov starts first and runs while cfn-lint works."""
    waivers = load_waivers(waivers_file)  # bad waivers fail before any slow work
    if set(judges) != set(JUDGES):
        # With a judge left out, its waivers cannot be judged stale.
        waivers = [w for w in waivers if w.tool in judges]
    started = time.perf_counter()
    exports = [export_plan(plan, region) for plan, region in targets]
    exported = (time.perf_counter() - started) / max(1, len(targets))
    runs = []
    if "checkov" in judges:
        progress("checkov: started")
        runs = [start_checkov(export) for export in exports]
    found: list[list[Finding]] = []
    timings: list[dict[str, float]] = []
    for (plan, region), export in zip(targets, exports, strict=True):
        findings: list[Finding] = []
        times: dict[str, float] = {"export": exported}
        if "cfn-lint" in judges:
            progress(f"cfn-lint: linting {plan.stack}")
            started = time.perf_counter()
            findings += run_cfn_lint(export, region)
            times["cfn-lint"] = time.perf_counter() - started
        if "gm-limits" in judges:
            started = time.perf_counter()
            findings += check_limits(plan, region)
            times["gm-limits"] = time.perf_counter() - started
        found.append(findings)
        timings.append(times)
    for number, run in enumerate(runs):
        progress(f"checkov: waiting for its report on {targets[number][0].stack}")
        started = time.perf_counter()
        found[number] += run.findings()
        timings[number]["checkov (after cfn-lint)"] = time.perf_counter() - started
    return [
        ValidationResult(plan.stack, region, apply_waivers(findings, waivers, plan), times)
        for (plan, region), findings, times in zip(targets, found, timings, strict=True)
    ]
