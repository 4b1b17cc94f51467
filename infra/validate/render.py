"""Validation results for people: a terminal table and a pull-request section."""

from __future__ import annotations

from infra.validate.model import ERROR, INFO, WARNING, ValidationResult


def validate_text(result: ValidationResult) -> str:
    verdict = "passed" if result.passed else "FAILED"
    lines = [f"validate {result.stack} ({result.region}): {verdict}", ""]
    lines.append(f"  {'tool':10} {'errors':>6} {'warnings':>8} {'info':>4} {'waived':>6}")
    for tool, row in result.counts().items():
        lines.append(
            f"  {tool:10} {row[ERROR]:>6} {row[WARNING]:>8} {row[INFO]:>4} {row['waived']:>6}"
        )
    unwaived = result.unwaived()
    if unwaived:
        lines.append("")
    for f in unwaived:
        label = "FAIL" if f.severity == ERROR else f.severity.upper()
        lines.append(f"  {label} {f.tool} {f.rule} {f.name}: {f.message}")
    return "\n".join(lines) + "\n"


def validate_markdown(result: ValidationResult) -> str:
    counts = result.counts()
    summary = ", ".join(
        f"{tool} {row[ERROR]} error(s), {row['waived']} waived"
        for tool, row in counts.items()
        if tool != "waivers" or row[ERROR]
    )
    if result.passed:
        head = f"✅ **Validation passed** on `{result.stack}`: {summary}"
    else:
        head = f"❌ **Validation failed** on `{result.stack}`: {summary}"
    lines = [head, ""]
    unwaived = [f for f in result.unwaived() if f.severity in (ERROR, WARNING)]
    if unwaived:
        lines += ["| tool | rule | resource | problem |", "|---|---|---|---|"]
        lines += [f"| {f.tool} | {f.rule} | `{f.name}` | {_cell(f.message)} |" for f in unwaived]
        lines.append("")
    waived = [f for f in result.findings if f.waived]
    if waived:
        lines += [
            "<details><summary>Waived findings</summary>",
            "",
            "| tool | rule | resource | reason |",
            "|---|---|---|---|",
        ]
        lines += [f"| {f.tool} | {f.rule} | `{f.name}` | {_cell(f.reason)} |" for f in waived]
        lines += ["", "</details>", ""]
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")[:300]


__all__ = ["INFO", "validate_markdown", "validate_text"]
