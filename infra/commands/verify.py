"""``gm-infra verify --stack S``: live checks of what the stack's phase should have."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from infra.commands.engine_options import (
    EndpointOption,
    EngineOption,
    RequiredStack,
    StacksDirOption,
)
from infra.commands.options import JsonOutput, TableOrJson, TableOrJsonFormat, wants_json
from infra.engines.select import EngineName, engine_for
from infra.errors import CheckFailedError
from infra.paths import stacks_dir as resolve_stacks_dir
from infra.stack_files import DEFAULT_REGION, read_stack_config


def verify_command(
    stack: RequiredStack,
    engine: EngineOption = EngineName.pulumi,
    endpoint_url: EndpointOption = None,
    stacks_dir: StacksDirOption = None,
    target_timeout: Annotated[
        float, typer.Option("--target-timeout", help="Seconds to wait for `initial` targets.")
    ] = 300.0,
    max_replica_lag: Annotated[
        float, typer.Option("--max-replica-lag", help="Highest ReplicaLag (s) allowed.")
    ] = 30.0,
    json_output: JsonOutput = False,
    output_format: TableOrJsonFormat = TableOrJson.table,
) -> None:
    """Check a deployed stack with boto3: ALB, targets, ASGs, RDS, Redis, CloudFront, Lattice.

    Exit 1 names each failure. Items the emulator cannot hold show as not emulated.

    Example: gm-infra verify --stack demo --engine local --json
    """
    json_output = wants_json(json_output, output_format)
    # Imported here: boto3 and the checks are not needed for --help.
    from rich.console import Console

    from infra.checks.results import failures
    from infra.checks.verify import VerifyOptions, verify
    from infra.promotion.report import checks_table

    directory = resolve_stacks_dir(stacks_dir)
    chosen = engine_for(engine, directory, endpoint_url)
    region = _region(stack, directory)
    results = verify(
        chosen.inventory(stack),
        lambda s: chosen.client(s, region),
        VerifyOptions(
            target_timeout_s=target_timeout,
            max_replica_lag_s=max_replica_lag,
            poll_s=min(5.0, max(0.1, target_timeout / 10)),
        ),
    )
    if json_output:
        typer.echo(
            json.dumps(
                {
                    "ok": not failures(results),
                    "stack": stack,
                    "checks": [r.to_dict() for r in results],
                    "failed": len(failures(results)),
                },
                indent=2,
            )
        )
    else:
        Console().print(checks_table(f"verify {stack}", results))
    failed = failures(results)
    if failed:
        raise CheckFailedError(
            f"{len(failed)} check(s) failed: "
            + "; ".join(f"{r.check} {r.target}: {r.detail}" for r in failed),
            hint="targets still starting? raise --target-timeout",
        )


def _region(stack: str, directory: object) -> str:
    from pathlib import Path

    try:
        config = read_stack_config(stack, Path(str(directory)))
    except Exception:
        return DEFAULT_REGION
    return str(config.get("aws:region", DEFAULT_REGION))


def register(app: typer.Typer) -> None:
    app.command("verify")(verify_command)
