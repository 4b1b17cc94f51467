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


def _stacks_dir_is_deprecated(value: Path | None) -> Path | None:
    if value is not None:
        typer.echo(
            "gm-infra: --stacks-dir is deprecated: stack files are read from the project you "
            "stand in (infra/stacks under the nearest Pulumi.yaml), or GM_INFRA_STACKS_DIR",
            err=True,
        )
    return value


# Hidden and deprecated (issue 22): the project root is found from the working directory;
# kept one release so scripts that pass it keep working, with a warning.
StacksDirOption = Annotated[
    Path | None,
    typer.Option(
        "--stacks-dir",
        hidden=True,
        callback=_stacks_dir_is_deprecated,
        help="Deprecated: where Pulumi.<stack>.yaml files live (GM_INFRA_STACKS_DIR instead).",
    ),
]
RequiredStack = Annotated[str, typer.Option("--stack", "-s", help="Stack name.")]
