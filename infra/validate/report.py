"""Validation results for people: a terminal table and a pull-request section."""

from __future__ import annotations

from infra.plan.markdown import cell
from infra.validate.model import ERROR, INFO, WARNING, ValidationResult


def _without(result: ValidationResult) -> str:
    """``" without checkov"`` when a judge did not run: a pass is only the judges' that ran."""
    return f" without {', '.join(result.skipped)}" if result.skipped else ""


def validate_text(result: ValidationResult) -> str:
    verdict = ("passed" if result.passed else "FAILED") + _without(result)
    lines = [f"validate {result.stack} ({result.region}): {verdict}", ""]
    lines.append(f"  {'tool':14} {'errors':>6} {'warnings':>8} {'info':>4} {'waived':>6}")
    for tool, row in result.counts().items():
        if tool in result.skipped:
            lines.append(f"  {tool:14} not run")
            continue
        lines.append(
            f"  {tool:14} {row[ERROR]:>6} {row[WARNING]:>8} {row[INFO]:>4} {row['waived']:>6}"
        )
    if result.timings:
        spent = ", ".join(f"{k} {v:.1f} s" for k, v in result.timings.items())
        lines += ["", f"  time: {spent}"]
    unwaived = result.unwaived()
    if unwaived:
        lines.append("")
    for f in unwaived:
        label = "FAIL" if f.severity == ERROR else f.severity.upper()
        message = f.message if len(f.message) <= 240 else f.message[:237] + "..."
        lines.append(f"  {label} {f.tool} {f.rule} {f.name}: {message}")
    return "\n".join(lines) + "\n"


def validate_markdown(result: ValidationResult) -> str:
    counts = result.counts()
    summary = ", ".join(
        f"{tool} {row[ERROR]} error(s), {row['waived']} waived"
        for tool, row in counts.items()
        if (tool != "waivers" or row[ERROR]) and tool not in result.skipped
    )
    without = _without(result)
    if without:
        summary += f"; not run: {', '.join(result.skipped)}"
    if result.passed:
        head = f"✅ **Validation passed{without}** on `{result.stack}`: {summary}"
    else:
        head = f"❌ **Validation failed** on `{result.stack}`: {summary}"
    lines = [head, ""]
    unwaived = [f for f in result.unwaived() if f.severity in (ERROR, WARNING)]
    if unwaived:
        lines += ["| tool | rule | resource | problem |", "|---|---|---|---|"]
        lines += [
            f"| {f.tool} | {f.rule} | `{f.name}` | {cell(f.message, 400)} |" for f in unwaived
        ]
        lines.append("")
    # One row per waiver: the same reason over many resources is said once.
    grouped: dict[tuple[str, str, str], list[str]] = {}
    for f in result.findings:
        if f.waived:
            grouped.setdefault((f.tool, f.rule, f.reason), []).append(f.name)
    if grouped:
        lines += [
            f"<details><summary>Waived findings ({sum(map(len, grouped.values()))})</summary>",
            "",
            "| tool | rule | resources | reason |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {tool} | {rule} | {', '.join(f'`{n}`' for n in sorted(set(names)))} | "
            f"{cell(reason, 400)} |"
            for (tool, rule, reason), names in grouped.items()
        ]
        lines += ["", "</details>", ""]
    return "\n".join(lines)


__all__ = ["INFO", "validate_markdown", "validate_text"]
