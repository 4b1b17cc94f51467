"""Policy results for people: a terminal listing and a pull-request section."""

from __future__ import annotations

from infra.plan.markdown import cell
from infra.policy.model import PolicyResult


def policy_text(result: PolicyResult) -> str:
    lines = [
        f"policy on {result.stack}: {len(result.violations)} violation(s), "
        f"{result.passed} check(s) passed, {len(result.suppressed)} suppressed"
    ]
    lines += [f"  FAIL {v.rule} {v.name} ({v.type}): {v.message}" for v in result.violations]
    lines += [
        f"  SUPPRESSED {s.rule} {s.urn.rsplit('::', 1)[-1]}: {s.message} (reason: {s.reason})"
        for s in result.suppressed
    ]
    return "\n".join(lines) + "\n"


def policy_markdown(result: PolicyResult) -> str:
    if result.ok:
        head = f"✅ **Policy passed** on `{result.stack}`: {result.passed} checks"
    else:
        head = (
            f"❌ **Policy failed** on `{result.stack}`: {len(result.violations)} "
            f"violation(s), {result.passed} checks passed"
        )
    if result.suppressed:
        head += f", {len(result.suppressed)} suppressed"
    lines = [head, ""]
    if result.violations:
        lines += ["| rule | resource | problem |", "|---|---|---|"]
        lines += [f"| {v.rule} | `{v.name}` | {cell(v.message)} |" for v in result.violations]
        lines.append("")
    if result.suppressed:
        lines += [
            "<details><summary>Suppressed findings</summary>",
            "",
            "| rule | resource | reason |",
            "|---|---|---|",
        ]
        lines += [
            f"| {s.rule} | `{s.urn.rsplit('::', 1)[-1]}` | {cell(s.reason)} |"
            for s in result.suppressed
        ]
        lines += ["", "</details>", ""]
    return "\n".join(lines)
