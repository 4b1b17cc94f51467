"""``gm-infra phase N --stack S``: promote a stack one phase, with checks and verify."""

from __future__ import annotations

import contextlib
import json
import sys
from typing import Annotated

import typer

from infra.commands.engine_options import (
    EndpointOption,
    EngineOption,
    RequiredStack,
    StacksDirOption,
)
from infra.commands.options import JsonOutput, TableOrJson, TableOrJsonFormat, wants_json
from infra.commands.readers import app_readers
from infra.engines.select import EngineName, engine_for
from infra.errors import BadInputError
from infra.paths import stacks_dir as resolve_stacks_dir


def phase(
    ctx: typer.Context,
    stack: RequiredStack,
    target: Annotated[
        int | None,
        typer.Argument(help="The phase to promote to, 1 to 4 (or --phase).", show_default=False),
    ] = None,
    phase_option: Annotated[
        int | None,
        typer.Option("--phase", "-p", help="The phase to promote to (the same as the argument)."),
    ] = None,
    engine: EngineOption = EngineName.pulumi,
    endpoint_url: EndpointOption = None,
    stacks_dir: StacksDirOption = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Allow skipping a phase.")] = False,
    allow_downgrade: Annotated[
        bool,
        typer.Option(
            "--allow-downgrade",
            help="Allow going to a lower phase (data-bearing resources are kept).",
        ),
    ] = False,
    shard_map: Annotated[
        str | None,
        typer.Option(
            "--shard-map",
            help="Shard 0's database URL: a 3 -> 2 downgrade checks there that every user's "
            "rows are back on shard 0.",
        ),
    ] = None,
    region: Annotated[str, typer.Option("--region", help="Region of a new stack file.")] = (
        "us-east-1"
    ),
    target_timeout: Annotated[
        float, typer.Option("--target-timeout", help="Seconds verify waits for `initial` targets.")
    ] = 300.0,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Stop after the preflight (credentials, zones, instance types, quotas) and "
            "the diff; nothing is written or deployed.",
        ),
    ] = False,
    validate: Annotated[
        bool,
        typer.Option(
            "--validate/--no-validate",
            help="Run policy and gm-infra validate (cfn-lint, checkov, limits) first.",
        ),
    ] = True,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Every resource.")] = False,
    json_output: JsonOutput = False,
    output_format: TableOrJsonFormat = TableOrJson.table,
) -> None:
    """Promote a stack to phase N: settings, policy and validation, preflight, diff, confirm,
    deploy, verify, record.

    A failed verify rolls back to the previous phase (exit 1). A stack without a stack file
    gets one from the phase profile.

    With --check it stops after the preflight and the diff (exit 1 on a failed check, such
    as a quota the plan would exceed).

    Example: gm-infra phase 2 --stack demo --engine local --yes
    """
    json_output = wants_json(json_output, output_format)
    if target is not None and phase_option is not None and target != phase_option:
        raise BadInputError(
            f"two phases given: {target} and --phase {phase_option}", hint="give the phase once"
        )
    target = target if target is not None else phase_option
    if target is None:
        raise BadInputError("no phase given", hint="e.g. gm-infra phase 2 --stack demo")
    if target not in (1, 2, 3, 4):
        raise BadInputError(f"phase {target} does not exist", hint="phases are 1, 2, 3 and 4")
    if not (yes or check or sys.stdin.isatty()):
        # Said before the checks run, not after them: there is no one to ask.
        raise BadInputError(
            "no terminal to confirm the promotion on", hint="pass --yes (or --check to only look)"
        )
    directory = resolve_stacks_dir(stacks_dir)
    from infra.locks import held

    # --check changes nothing, so it needs no lock; a promotion holds the stack's lock.
    lock = (
        contextlib.nullcontext()
        if check
        else held(stack, f"gm-infra phase {target} --stack {stack} --engine {engine.value}")
    )
    with lock:
        # Imported here: the runner pulls in Pulumi and boto3, which --help does not need.
        from infra.checks.verify import VerifyOptions
        from infra.promotion.report import ConsoleReporter
        from infra.promotion.runner import Promotion, PromotionRequest

        chosen = engine_for(engine, directory, endpoint_url)
        reporter = ConsoleReporter(to_stderr=json_output, verbose=verbose)
        request = PromotionRequest(
            stack=stack,
            phase=target,
            stacks_dir=directory,
            yes=yes,
            force=force,
            allow_downgrade=allow_downgrade,
            check_only=check,
            shard_map_url=shard_map,
            shard_map_status=app_readers(ctx).shard_map_status,
            region=region,
            validate=validate,
            verify_options=VerifyOptions(
                target_timeout_s=target_timeout, poll_s=min(5.0, max(0.1, target_timeout / 10))
            ),
        )
        outcome = Promotion(chosen, request, reporter).run()
    if json_output:
        typer.echo(json.dumps(outcome.to_dict(), indent=2, sort_keys=True))


def register(app: typer.Typer) -> None:
    app.command("phase")(phase)
