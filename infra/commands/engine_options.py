"""Options of the commands that reach a deployed stack: engine, endpoint, stacks dir."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from infra.engines.select import EngineName

EngineOption = Annotated[
    EngineName,
    typer.Option(
        "--engine",
        "-e",
        help="pulumi (real AWS via the Automation API) or local (the AWS emulator on loopback).",
    ),
]
EndpointOption = Annotated[
    str | None,
    typer.Option(
        "--endpoint-url",
        help="Emulator endpoint for --engine local (loopback only); "
        "default AWS_ENDPOINT_URL or the one `gm-infra local start` runs.",
    ),
]
StacksDirOption = Annotated[
    Path | None,
    typer.Option(
        "--stacks-dir",
        help="Where Pulumi.<stack>.yaml files live (default GM_INFRA_STACKS_DIR or infra/stacks).",
    ),
]
RequiredStack = Annotated[str, typer.Option("--stack", "-s", help="Stack name.")]
