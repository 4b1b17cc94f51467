"""``gm-infra diff``: what changes between two plans (phases, stacks, plan files, git refs)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from infra.commands.options import FormatOption, JsonFlag, OutputFormat, PhaseOption, StackOption
from infra.errors import BadInputError, CheckFailedError

if TYPE_CHECKING:
    from infra.plan.model import Plan
    from infra.validate.model import ValidationResult

FromPhase = Annotated[int | None, typer.Option("--from-phase", help="Before: this phase.")]
ToPhase = Annotated[int | None, typer.Option("--to-phase", help="After: this phase.")]
FromStack = Annotated[str | None, typer.Option("--from-stack", help="Before: this stack.")]
ToStack = Annotated[str | None, typer.Option("--to-stack", help="After: this stack.")]
FromPlan = Annotated[Path | None, typer.Option("--from-plan", help="Before: a plan file.")]
ToPlan = Annotated[Path | None, typer.Option("--to-plan", help="After: a plan file.")]
BaseRef = Annotated[
    str | None,
    typer.Option(
        "--base-ref",
        help="Before: the program at this git ref; after: the working tree. Alone: every stack "
        "the change deploys (as gm-infra preview); with --phase or --stack: that one.",
    ),
]
UsageOption = Annotated[Path | None, typer.Option("--usage", help="Usage YAML for the costs.")]
ValidateOption = Annotated[
    bool,
    typer.Option(
        "--validate/--no-validate",
        help="Markdown: judge the after plan with cfn-lint, checkov and our limits.",
    ),
]


def _plans(
    base_ref: str | None,
    phase: int | None,
    stack: str | None,
    before: tuple[int | None, str | None, Path | None],
    after: tuple[int | None, str | None, Path | None],
) -> tuple[Plan, Plan]:
    from infra.plan.gitref import plan_at_ref
    from infra.plan.load import load_plan

    if base_ref is not None:
        if any(v is not None for v in (*before, *after)):
            raise BadInputError(
                "--base-ref compares the same --phase or --stack at two commits",
                "drop the --from-*/--to-* options",
            )
        return plan_at_ref(base_ref, phase=phase, stack=stack), load_plan(phase, stack, None)
    if phase is not None or stack is not None:
        raise BadInputError(
            "--phase/--stack go with --base-ref", "or use --from-phase N --to-phase M"
        )
    for side, values in (("before", before), ("after", after)):
        if sum(v is not None for v in values) != 1:
            flag = "--from" if side == "before" else "--to"
            raise BadInputError(
                f"name exactly one plan for the {side} side",
                f"give one of {flag}-phase N, {flag}-stack S or {flag}-plan FILE; "
                "e.g. gm-infra diff --from-phase 1 --to-phase 2",
            )
    return load_plan(*before), load_plan(*after)


def diff(
    from_phase: FromPhase = None,
    to_phase: ToPhase = None,
    from_stack: FromStack = None,
    to_stack: ToStack = None,
    from_plan: FromPlan = None,
    to_plan: ToPlan = None,
    base_ref: BaseRef = None,
    phase: PhaseOption = None,
    stack: StackOption = None,
    usage: UsageOption = None,
    validate: ValidateOption = True,
    exit_code: Annotated[
        bool, typer.Option("--exit-code", help="Exit 1 when anything changes (as git diff).")
    ] = False,
    output_format: FormatOption = OutputFormat.table,
    json_output: JsonFlag = False,
) -> None:
    """Show what changes between two plans, flagging any replaced or deleted stateful resource.

    --format markdown writes a pull-request comment: headline with the monthly cost change,
    summary table, collapsible details, policy and validation results (gm-infra validate)
    and a Mermaid diagram.

    With --base-ref alone it covers every stack the change deploys, as gm-infra preview
    does: the stacks whose file changed, or all of them when the program, a profile, a
    template or the app changed.

    Examples: gm-infra diff --from-phase 1 --to-phase 2 --format markdown;
    gm-infra diff --base-ref origin/main --json;  gm-infra diff --base-ref HEAD~1 --stack prod
    """
    from infra.diff.compute import diff_plans
    from infra.diff.report import diff_text
    from infra.pr_comment import comment_markdown, comment_parts

    fmt = OutputFormat.json if json_output else output_format
    if base_ref is not None and phase is None and stack is None:
        _stacks_at_ref(
            base_ref,
            (from_phase, to_phase, from_stack, to_stack, from_plan, to_plan),
            validate,
            exit_code,
            fmt,
        )
        return
    if fmt is OutputFormat.markdown:
        # The comment takes tens of seconds (plans, validation): say what is happening.
        typer.echo("planning the before and after plans", err=True)
    old, new = _plans(
        base_ref, phase, stack, (from_phase, from_stack, from_plan), (to_phase, to_stack, to_plan)
    )
    if fmt is OutputFormat.markdown:
        if validate:
            typer.echo("validating the after plan (cfn-lint, checkov, limits)", err=True)
        parts = comment_parts(old, new, usage, _validation(new) if validate else None)
        typer.echo(comment_markdown(parts), nl=False)
        return
    result = diff_plans(old, new)
    if fmt is OutputFormat.json:
        typer.echo(json.dumps(result.to_dict(), indent=2, default=str))
    else:
        typer.echo(diff_text(result), nl=False)
    if exit_code and not result.empty:
        raise CheckFailedError("the plans differ (--exit-code)")


def _stacks_at_ref(
    base_ref: str,
    sides: tuple[object, ...],
    validate: bool,
    exit_code: bool,
    fmt: OutputFormat,
) -> None:
    """``--base-ref`` alone: every stack the change deploys, through the preview's planner."""
    from infra.diff.report import diff_text
    from infra.preview.build import build_preview, comment_markdown

    if any(v is not None for v in sides):
        raise BadInputError(
            "--base-ref compares the working tree with a commit",
            "drop the --from-*/--to-* options",
        )
    markdown = fmt is OutputFormat.markdown
    result = build_preview(
        base_ref, None, progress=lambda m: typer.echo(m, err=True), validate=validate and markdown
    )
    if markdown:
        typer.echo(comment_markdown(result), nl=False)
    elif fmt is OutputFormat.json:
        body = {
            "ok": not any(not c.diff.empty for c in result.results) or not exit_code,
            "base": result.base,
            "head": result.head,
            "scope": result.scope,
            "stacks": {c.target.label: c.diff.to_dict() for c in result.results},
        }
        typer.echo(json.dumps(body, indent=2, default=str))
    else:
        typer.echo(f"{result.base} -> {result.head}: {result.scope}")
        for c in result.results:
            typer.echo(f"\n== {c.target.label} ==")
            typer.echo(diff_text(c.diff), nl=False)
    if exit_code and any(not c.diff.empty for c in result.results):
        raise CheckFailedError("the plans differ (--exit-code)")


def _validation(plan: Plan) -> ValidationResult:
    """``gm-infra validate`` on the after plan; without checkov installed, the other judges."""
    from infra.validate.region import region_for
    from infra.validate.run import JUDGES, available_judges, validate_plan

    judges = available_judges()
    if len(judges) < len(JUDGES):
        typer.echo("checkov is not installed: validating with cfn-lint and limits", err=True)
    return validate_plan(plan, region_for(plan, None, None), judges=judges)


def register(root: typer.Typer) -> None:
    root.command("diff")(diff)
