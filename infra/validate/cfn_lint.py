"""cfn-lint (AWS's resource schemas and its rules) as a library, on the exported template."""

from __future__ import annotations

from infra.export.cloudformation import Export
from infra.validate.model import ERROR, INFO, WARNING, Finding

SEVERITIES = {"error": ERROR, "warning": WARNING, "informational": INFO}


def run_cfn_lint(export: Export, region: str) -> list[Finding]:
    from cfnlint.api import ManualArgs, lint  # imported here: about 1 s

    # include_checks I: cfn-lint's informational rules too (DeletionPolicy on stateful
    # resources, IAM resource shapes), which it leaves out by default.
    config = ManualArgs(regions=[region], include_checks=["I"])
    matches = lint(export.to_json(), config=config)
    findings = []
    for match in matches:
        path = [str(p) for p in (match.path or [])]
        logical = path[1] if len(path) > 1 and path[0] == "Resources" else ""
        urn, name, typ = export.identity(logical)
        where = "/".join(path[2:]) if len(path) > 2 else "/".join(path)
        findings.append(
            Finding(
                tool="cfn-lint",
                rule=match.rule.id,
                urn=urn,
                name=name,
                type=typ,
                severity=SEVERITIES.get(str(match.rule.severity).lower(), ERROR),
                message=f"{where}: {match.message}" if where else match.message,
            )
        )
    return findings
