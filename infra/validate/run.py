"""One validation run: export, then cfn-lint (in-process) beside checkov (a subprocess), then
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
from infra.validate.model import ValidationResult
from infra.validate.waivers import DEFAULT_FILE, apply_waivers, load_waivers

JUDGES = ("cfn-lint", "checkov", "gm-limits")


def validate_plan(
    plan: Plan,
    region: str,
    waivers_file: Path = DEFAULT_FILE,
    judges: Sequence[str] = JUDGES,
    progress: Callable[[str], None] = lambda _: None,
) -> ValidationResult:
    """Every finding of the chosen judges, waived or not; a stale waiver is a finding too."""
    waivers = load_waivers(waivers_file)  # bad waivers fail before any slow work
    timings: dict[str, float] = {}
    started = time.perf_counter()
    export = export_plan(plan, region)
    timings["export"] = time.perf_counter() - started
    checkov = None
    if "checkov" in judges:
        progress("checkov: started")
        checkov = start_checkov(export)  # runs beside cfn-lint
    findings = []
    if "cfn-lint" in judges:
        progress("cfn-lint: linting the template")
        started = time.perf_counter()
        findings += run_cfn_lint(export, region)
        timings["cfn-lint"] = time.perf_counter() - started
    if "gm-limits" in judges:
        started = time.perf_counter()
        findings += check_limits(plan)
        timings["gm-limits"] = time.perf_counter() - started
    if checkov is not None:
        progress("checkov: waiting for its report")
        started = time.perf_counter()
        findings += checkov.findings()
        timings["checkov (after cfn-lint)"] = time.perf_counter() - started
    if set(judges) != set(JUDGES):
        # With a judge left out, its waivers cannot be judged stale.
        waivers = [w for w in waivers if w.tool in judges]
    return ValidationResult(plan.stack, region, apply_waivers(findings, waivers, plan), timings)
