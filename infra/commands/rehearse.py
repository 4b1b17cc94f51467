"""``gm-infra rehearse``: a promotion end to end on a throwaway emulator, no AWS account.

Starts an AWS emulator on loopback unless one is running, promotes a throwaway stack
(``demo``, its stack file under ``.gm-infra/rehearsal/``) from phase 1 up to ``--to`` one
step at a time on the local engine, showing the diff, progress and verification, then stops
the emulator it started. The same as ``gm-infra local start`` followed by
``gm-infra phase 1 --stack demo --engine local --yes`` and ``gm-infra phase 2 ...``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer

from infra.commands.options import JsonOutput, TableOrJson, TableOrJsonFormat, wants_json
from infra.errors import BadInputError
from infra.paths import data_dir


def rehearsal_stacks_dir() -> Path:
    env = os.environ.get("GM_INFRA_STACKS_DIR")
    return Path(env) if env else data_dir() / "rehearsal" / "stacks"


def rehearse(
    to: Annotated[
        int, typer.Option("--phase", "-p", "--to", help="The phase to end at, 1 to 4.")
    ] = 2,
    stack: Annotated[str, typer.Option("--stack", "-s", help="Throwaway stack name.")] = "demo",
    target_timeout: Annotated[
        float, typer.Option("--target-timeout", help="Seconds verify waits for `initial` targets.")
    ] = 30.0,
    json_output: JsonOutput = False,
    output_format: TableOrJsonFormat = TableOrJson.table,
) -> None:
    """Rehearse a promotion on the local AWS emulator: phase 1 up to --phase (default 2).

    Example: gm-infra rehearse            (phase 1 -> 2 of a throwaway stack `demo`)
    """
    json_output = wants_json(json_output, output_format)
    if to not in (1, 2, 3, 4):
        raise BadInputError(f"phase {to} does not exist", hint="phases are 1, 2, 3 and 4")
    from infra.locks import held
    from infra.writable import check_writable_dir

    check_writable_dir(rehearsal_stacks_dir(), "the rehearsal stack folder")
    with held(stack, f"gm-infra rehearse --to {to} --stack {stack}"):
        _rehearse(to, stack, target_timeout, json_output)


def _rehearse(to: int, stack: str, target_timeout: float, json_output: bool) -> None:
    from rich.console import Console

    from infra.emulator.endpoint import loopback_endpoint
    from infra.emulator.process import running_endpoint
    from infra.engines.state import state_file

    console = Console(stderr=json_output, highlight=False)
    existing = os.environ.get("AWS_ENDPOINT_URL") or running_endpoint()
    started = None
    if existing:
        endpoint = loopback_endpoint(existing)
        console.print(f"emulator: using {endpoint}")
    else:
        from infra.emulator.server import start

        started = start()
        endpoint = started.endpoint
        console.print(f"emulator: started on {endpoint} (stopped at the end)")
    stacks_dir = rehearsal_stacks_dir()
    # A throwaway stack starts over: its old stack file and state belong to an old emulator.
    (stacks_dir / f"Pulumi.{stack}.yaml").unlink(missing_ok=True)
    state_file(stack).unlink(missing_ok=True)
    # Imported here: the runner pulls in Pulumi and boto3, which `gm-infra --help` does not need.
    from infra.checks.verify import VerifyOptions
    from infra.engines.local import LocalEngine
    from infra.promotion.report import ConsoleReporter
    from infra.promotion.runner import Promotion, PromotionRequest

    engine = LocalEngine(endpoint)
    outcomes = []
    try:
        for phase in range(1, to + 1):
            console.rule(f"[bold]gm-infra phase {phase} --stack {stack} --engine local --yes")
            request = PromotionRequest(
                stack=stack,
                phase=phase,
                stacks_dir=stacks_dir,
                yes=True,
                verify_options=VerifyOptions(target_timeout_s=target_timeout, poll_s=1.0),
            )
            reporter = ConsoleReporter(to_stderr=json_output)
            outcomes.append(Promotion(engine, request, reporter).run().to_dict())
    finally:
        if started is not None:
            started.stop()
            console.print("emulator: stopped")
    if json_output:
        typer.echo(
            json.dumps(
                {"stack": stack, "endpoint": endpoint, "promotions": outcomes},
                indent=2,
                sort_keys=True,
            )
        )


def register(app: typer.Typer) -> None:
    app.command("rehearse")(rehearse)
