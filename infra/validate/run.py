"""Validation runs: export, then cfn-lint (in-process) beside checkov (a subprocess), then
our limits, then the waivers."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path

from infra.errors import BadInputError
from infra.export.cloudformation import Export, export_plan
from infra.plan.model import Plan
from infra.validate.cache import findings_key, load_findings, store_findings
from infra.validate.cfn_lint import run_cfn_lint
from infra.validate.checkov_judge import (
    INSTALL_HINT,
    CheckovRun,
    checkov_version,
    find_checkov,
    start_checkov,
)
from infra.validate.iam_judges import (
    CLOUDSPLAINING,
    PARLIAMENT,
    documents_fingerprint,
    run_cloudsplaining,
    run_parliament,
)
from infra.validate.limits import check_limits
from infra.validate.model import JUDGE_TOOLS, Finding, ValidationResult
from infra.validate.waivers import DEFAULT_FILE, apply_waivers, load_waivers

IAM_JUDGES = {PARLIAMENT: run_parliament, CLOUDSPLAINING: run_cloudsplaining}
JUDGES = JUDGE_TOOLS


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
    """Several plans at once. Each judge's findings come from the cache when the exported
    template was judged before by the same version (``infra/validate/cache.py``); the
    templates checkov has not seen go to one checkov process, which runs while cfn-lint
    works."""
    waivers = load_waivers(waivers_file)  # bad waivers fail before any slow work
    if set(judges) != set(JUDGES):
        # With a judge left out, its waivers cannot be judged stale.
        waivers = [w for w in waivers if w.tool in judges]
    started = time.perf_counter()
    exports = [export_plan(plan, region) for plan, region in targets]
    texts = [export.to_json() for export in exports]
    exported = (time.perf_counter() - started) / max(1, len(targets))
    timings: list[dict[str, float]] = [{"export": exported} for _ in targets]
    checkov = CheckovJudge(exports, texts, progress) if "checkov" in judges else None
    found: list[list[Finding]] = []
    for number, (plan, region) in enumerate(targets):
        findings: list[Finding] = []
        if "cfn-lint" in judges:
            started = time.perf_counter()
            key = findings_key("cfn-lint", metadata.version("cfn-lint"), texts[number], region)
            cached = load_findings("cfn-lint", key)
            if cached is None:
                progress(f"cfn-lint: linting {plan.stack}")
                cached = run_cfn_lint(exports[number], region)
                store_findings("cfn-lint", key, cached)
                timings[number]["cfn-lint"] = time.perf_counter() - started
            else:
                timings[number]["cfn-lint (cached)"] = time.perf_counter() - started
            findings += cached
        if "gm-limits" in judges:
            started = time.perf_counter()
            findings += check_limits(plan, region)
            timings[number]["gm-limits"] = time.perf_counter() - started
        for tool, judge in IAM_JUDGES.items():
            if tool in judges:
                started = time.perf_counter()
                key = findings_key(tool, metadata.version(tool), documents_fingerprint(plan))
                judged = load_findings(tool, key)
                label = f"{tool} (cached)"
                if judged is None:
                    judged, label = judge(plan), tool
                    store_findings(tool, key, judged)
                findings += judged
                timings[number][label] = time.perf_counter() - started
        found.append(findings)
    if checkov is not None:
        started = time.perf_counter()
        for number, findings in enumerate(checkov.findings()):
            found[number] += findings
        label = "checkov (cached)" if checkov.all_cached else "checkov (after cfn-lint)"
        for times in timings:
            times[label] = time.perf_counter() - started
    return [
        ValidationResult(
            plan.stack,
            region,
            apply_waivers(findings, waivers, plan),
            times,
            skipped=[tool for tool in JUDGES if tool not in judges],
        )
        for (plan, region), findings, times in zip(targets, found, timings, strict=True)
    ]


class CheckovJudge:
    """checkov over several templates: cached findings where it judged the same template
    with the same version before, one process (started at once) for the rest."""

    def __init__(
        self, exports: list[Export], texts: list[str], progress: Callable[[str], None]
    ) -> None:
        executable = find_checkov()
        if executable is None:
            raise BadInputError("checkov is not installed", INSTALL_HINT)
        version = checkov_version(executable)
        self.keys = [findings_key("checkov", version, text) for text in texts]
        self.known: dict[str, list[Finding]] = {}
        for key in set(self.keys):
            cached = load_findings("checkov", key)
            if cached is not None:
                self.known[key] = cached
        # One template per distinct key: phases with the same template are judged once.
        self.missing = {k: exports[n] for n, k in enumerate(self.keys) if k not in self.known}
        self.all_cached = not self.missing
        self.run: CheckovRun | None = None
        if self.missing:
            progress(f"checkov: started on {len(self.missing)} template(s)")
            self.run = start_checkov(list(self.missing.values()))
        else:
            progress("checkov: findings from the cache")

    def findings(self) -> list[list[Finding]]:
        """Each template's findings, in the order given (waits for the process if any)."""
        if self.run is not None:
            judged = self.run.findings()
            for key, findings in zip(self.missing, judged, strict=True):
                store_findings("checkov", key, findings)
                self.known[key] = findings
            self.run = None
        return [list(self.known[key]) for key in self.keys]
