"""``gm-infra preview``: the pull-request comment for every phase, in one process."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from infra.commands.options import FormatOption, JsonFlag, OutOption, OutputFormat
from infra.errors import CheckFailedError

BaseRef = Annotated[str, typer.Option("--base-ref", help="Before: the program at this git ref.")]
Phases = Annotated[
    str | None,
    typer.Option(
        "--phases", help="Bare phase profiles instead of stacks: comma-separated, or 'all'."
    ),
]
Stacks = Annotated[
    str | None,
    typer.Option(
        "--stacks",
        help="Comma-separated stacks (default: every stack the change deploys).",
    ),
]


def preview(
    base_ref: BaseRef = "origin/main",
    phases: Phases = None,
    stacks: Stacks = None,
    out: OutOption = None,
    validate: Annotated[
        bool,
        typer.Option(
            "--validate/--no-validate",
            help="Judge each changed phase with gm-infra validate (cfn-lint, checkov, limits).",
        ),
    ] = True,
    output_format: FormatOption = OutputFormat.markdown,
    json_output: JsonFlag = False,
) -> None:
    """The whole pull-request comment for what the change deploys: per stack the diff with
    its cost change, policy, validation, user-data script diffs and the diagram; one line for
    a stack that does not change. By default the stacks are those whose stack file the
    change touches, or every stack when the program, a profile, a template or the app
    changes; --stacks names them, --phases previews bare profiles instead. Each side is
    planned once (the base ref in the background, both through the plan cache).

    Exit 1 when policy or validation fails on the working tree (the comment is written first).

    Examples: gm-infra preview --base-ref origin/main --out comment.md;
    gm-infra preview --base-ref HEAD~1 --stacks phase2 --json
    """
    from infra.preview.build import build_preview, comment_markdown
    from infra.preview.targets import parse_targets

    fmt = OutputFormat.json if json_output else output_format
    targets = parse_targets(phases, stacks)
    result = build_preview(
        base_ref, targets, progress=lambda msg: typer.echo(msg, err=True), validate=validate
    )
    if fmt is OutputFormat.json:
        text = json.dumps(result.to_dict(), indent=2, default=str) + "\n"
    else:
        text = comment_markdown(result)
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text)
        typer.echo(f"wrote {out} ({len(text):,} characters)", err=True)
    if not result.policy_ok:
        failed = [c.target.label for c in result.results if not c.policy.ok]
        raise CheckFailedError(f"policy failed on {', '.join(failed)}")
    if not result.validation_ok:
        failed = [
            c.target.label for c in result.results if c.validation and not c.validation.passed
        ]
        raise CheckFailedError(
            f"validation failed on {', '.join(failed)}", hint="see the comment's Validation part"
        )


def register(root: typer.Typer) -> None:
    root.command("preview")(preview)
