"""``gm-infra validate``: cfn-lint, checkov and our AWS limits over one plan, offline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from infra.commands.engine_options import EndpointOption, EngineOption, StacksDirOption
from infra.commands.options import (
    FormatOption,
    JsonFlag,
    OutputFormat,
    PhaseOption,
    PlanFileOption,
    StackOption,
)
from infra.engines.select import EngineName
from infra.errors import BadInputError, CheckFailedError, GmError

if TYPE_CHECKING:
    from infra.plan.model import Plan
    from infra.validate.model import Finding

WaiversOption = Annotated[
    Path | None,
    typer.Option("--waivers", help="YAML list of {tool, rule, resource, reason} (default: ours)."),
]
JudgesOption = Annotated[
    str,
    typer.Option(
        "--judges",
        help="Comma-separated subset of cfn-lint,checkov,gm-limits,parliament,cloudsplaining.",
    ),
]


def validate(
    phase: PhaseOption = None,
    stack: StackOption = None,
    plan: PlanFileOption = None,
    waivers: WaiversOption = None,
    judges: JudgesOption = "cfn-lint,checkov,gm-limits,parliament,cloudsplaining",
    live: Annotated[
        bool,
        typer.Option(
            "--live",
            help="With --stack: also check Service Quotas in the stack's account and region "
            "(what the plan adds plus what the account uses), as gm-infra phase's preflight does.",
        ),
    ] = False,
    engine: EngineOption = EngineName.pulumi,
    endpoint_url: EndpointOption = None,
    stacks_dir: StacksDirOption = None,
    output_format: FormatOption = OutputFormat.table,
    json_output: JsonFlag = False,
) -> None:
    """Judge a plan by AWS's own schemas (cfn-lint), checkov and our AWS limits; offline.

    The plan is exported to CloudFormation (gm-infra export) and linted in the stack's
    region. Exit 1 on any unwaived error (a stale waiver is one), 2 on bad input. Waivers
    live in infra/validate/waivers.yaml, each with a reason. --live (with --stack) adds the
    quota preflight against the account (--engine local: the emulator).

    Example: gm-infra validate --phase 4 --format json
    """
    from infra.plan.load import load_plan
    from infra.validate.region import region_for
    from infra.validate.report import validate_markdown, validate_text
    from infra.validate.run import JUDGES, validate_plan
    from infra.validate.waivers import DEFAULT_FILE

    chosen = [j.strip() for j in judges.split(",") if j.strip()]
    unknown = [j for j in chosen if j not in JUDGES]
    if unknown or not chosen:
        raise BadInputError(
            f"--judges {judges!r} names {', '.join(unknown) or 'nothing'}",
            hint=f"choose from {', '.join(JUDGES)}",
        )
    if live and not stack:
        raise BadInputError(
            "--live needs --stack", hint="quotas are read from the stack's account and region"
        )
    fmt = OutputFormat.json if json_output else output_format
    if stack is not None and phase is None and plan is None:
        # The stack file where gm-infra phase keeps it (--stacks-dir, GM_INFRA_STACKS_DIR).
        from infra.paths import stacks_dir as resolve_stacks_dir
        from infra.plan.build import plan_for_stack
        from infra.stack_files import settings_for_stack

        directory = resolve_stacks_dir(stacks_dir)
        region = settings_for_stack(stack, directory).region
        loaded = plan_for_stack(stack, directory)  # the project's own program plans it
    else:
        loaded = load_plan(phase, stack, plan)
        region = region_for(loaded, phase, stack)
    result = validate_plan(
        loaded,
        region,
        waivers or DEFAULT_FILE,
        chosen,
        progress=lambda line: typer.echo(line, err=True),
    )
    if live and stack:
        typer.echo("validate: quotas (live) ...", err=True)
        result.findings.extend(
            quota_findings(loaded, stack, region, engine, endpoint_url, stacks_dir)
        )
    if fmt is OutputFormat.json:
        typer.echo(json.dumps(result.to_dict(), indent=2))
    elif fmt is OutputFormat.markdown:
        typer.echo(validate_markdown(result), nl=False)
    else:
        typer.echo(validate_text(result), nl=False)
    if not result.passed:
        failing = [f for f in result.unwaived() if f.severity == "error"]
        names = ", ".join(sorted({f"{f.rule} on {f.name}" for f in failing}))
        raise CheckFailedError(
            f"{len(failing)} unwaived error(s): {names}",
            hint="fix the program, or waive with a reason in infra/validate/waivers.yaml",
        )


def quota_findings(
    plan: Plan,
    stack: str,
    region: str,
    engine: EngineName,
    endpoint_url: str | None,
    stacks_dir: Path | None,
) -> list[Finding]:
    """The quota preflight (``infra/checks/quotas.py``) as validation findings, tool "quotas"."""
    from infra.checks.account_usage import check_quotas
    from infra.engines.select import engine_for
    from infra.paths import stacks_dir as resolve_stacks_dir
    from infra.validate.model import ERROR, INFO, Finding

    chosen = engine_for(engine, resolve_stacks_dir(stacks_dir), endpoint_url)
    try:
        checks = check_quotas(
            plan,
            lambda service: chosen.client(service, region),
            deployed=chosen.deployed_plan(stack),
        )
    except GmError:
        raise
    except Exception as error:  # credentials, endpoint: say it in one line
        raise CheckFailedError(
            f"could not read quotas for stack {stack} in {region}: {error}",
            hint="check credentials (or --engine local with gm-infra local start)",
        ) from None
    return [
        Finding(
            tool="quotas",
            rule=check.quota.quota_code,
            urn="",
            name=check.target,
            type=check.quota.service_code,
            severity=INFO if check.ok else ERROR,
            message=check.detail(),
        )
        for check in checks
    ]


def register(root: typer.Typer) -> None:
    root.command("validate")(validate)
