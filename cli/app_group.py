"""``gm-infra app serve``: run the bundled Green Matchers app (uvicorn, app factory);
``gm-infra app reshard``: move users' rows to their shards while the app serves."""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cli.app_model import model_group
from infra.commands import app_stack
from infra.commands.options import FormatOption, OutputFormat
from infra.errors import BadInputError, CheckFailedError, GmError
from infra.extras import require_extra
from infra.ports import port_is_free

if TYPE_CHECKING:
    from app.reshard.errors import ReshardError

app_group = typer.Typer(
    help="The bundled Green Matchers matching app.", no_args_is_help=True, add_completion=False
)

HostOption = Annotated[str, typer.Option("--host", help="Address to listen on.")]
PortOption = Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")]
WorkersOption = Annotated[int, typer.Option("--workers", min=1, max=64, help="Worker processes.")]
ServiceOption = Annotated[
    str | None,
    typer.Option(
        "--service",
        help="Run one phase-4 service: web, auth, matching, ai (ai-ml) or analytics; "
        "default: SERVICE_NAME, else all.",
    ),
]


@app_group.command("serve")
def serve(
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    workers: WorkersOption = 1,
    service: ServiceOption = None,
) -> None:
    """Serve the app: embedded SQLite, in-process cache and demo data unless the environment
    sets DATABASE_URL, DATABASE_URL_READ, DATABASE_SHARD_URLS or REDIS_URL (see app/README.md).

    Example: gm-infra app serve --port 8000   (then open http://127.0.0.1:8000)
             gm-infra app serve --service ai --port 8001
    """
    require_extra("app", "gm-infra app serve")
    import uvicorn
    from pydantic import ValidationError

    from app.core.http_protocol import MAX_HEADER_BYTES, BoundedH11Protocol
    from app.core.service_names import UnknownService, resolve_service
    from app.core.settings import Settings

    if service is not None:
        try:
            os.environ["SERVICE_NAME"] = resolve_service(service)  # the workers read it
        except UnknownService as error:
            raise BadInputError(f"--service: {error}") from None
    try:
        settings = Settings()
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "settings"
        raise BadInputError(
            f"app setting {field.upper()}: {first['msg']}", hint="see app/README.md"
        ) from None
    try:
        settings.check_session_secret()
    except ValueError as error:
        raise BadInputError(f"app setting {error}", hint="see app/README.md") from None
    if not port_is_free(port, host):
        raise BadInputError(f"{host}:{port} is already in use", hint="pass --port with a free port")
    database = (
        settings.database_url.split("@")[-1] if settings.database_url else settings.writer_url
    )
    typer.echo(
        f"Green Matchers ({settings.service_name}) on http://{host}:{port}  "
        f"(database: {database}, "
        f"cache: {'redis' if settings.redis_url else 'in-process'}, model: {settings.model_name})",
        err=True,
    )
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        log_level="info",
        # No nginx in front here: bound header size and header-read time (slowloris).
        http=BoundedH11Protocol,
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
    )


SourceOption = Annotated[
    str,
    typer.Option("--source", help="Shard 0: the phase-1/2 database (the apps' DATABASE_URL)."),
]
TargetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--target",
        help="A shard, once per shard in order; the first is the source itself (N = count).",
    ),
]


def _reshard_error(error: ReshardError) -> GmError:
    if error.fault:
        return CheckFailedError(error.message, hint=error.hint or None)
    return BadInputError(error.message, hint=error.hint or None)


def _map_ttl() -> float:
    raw = os.environ.get("SHARD_MAP_TTL_SECONDS", "1.0")
    try:
        ttl = float(raw)
    except ValueError:
        ttl = -1.0
    if ttl <= 0:
        raise BadInputError(
            f"SHARD_MAP_TTL_SECONDS={raw!r} is not allowed: a number of seconds above 0",
            hint="use the value the apps run with (default 1.0)",
        )
    return ttl


@app_group.command("reshard")
def reshard(
    source: SourceOption,
    target: TargetOption = None,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, max=50_000, help="Rows per copy batch.")
    ] = 1000,
    range_rows: Annotated[
        int,
        typer.Option(
            "--range-rows",
            min=1,
            max=1_000_000,
            help="Rows per user range (fenced, verified and flipped together).",
        ),
    ] = 2000,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    show_status: Annotated[
        bool, typer.Option("--status", help="Show the shard map and the progress; change nothing.")
    ] = False,
    rollback: Annotated[
        bool, typer.Option("--rollback", help="Move every range back to the source.")
    ] = False,
    cleanup: Annotated[
        bool,
        typer.Option(
            "--cleanup",
            help="After done: delete moved rows from the source. After a rollback: empty the "
            "targets and restore the trivial map.",
        ),
    ] = False,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Move each user's rows from the source to shard user_id % N while the app serves
    (copy, catch up, verify, flip per user range; resumable; reversible until --cleanup).

    Every app instance must already run with DATABASE_SHARD_URLS listing these N shards
    (shard 0 first): before a reshard that routes everyone to shard 0.

    Example: gm-infra app reshard --source mysql+pymysql://root:@127.0.0.1/gm
    --target mysql+pymysql://root:@127.0.0.1/gm --target .../gm_shard_1 --target .../gm_shard_2
    """
    require_extra("app", "gm-infra app reshard")
    from app.reshard.errors import ReshardError
    from app.reshard.workflow import Options, Reshard, status, summary_dict

    as_json = fmt == OutputFormat.json
    if sum((show_status, rollback, cleanup)) > 1:
        raise BadInputError("give at most one of --status, --rollback, --cleanup")
    try:
        if show_status:
            _print_result(status(source), as_json, "reshard status")
            return
        targets = list(target or [])
        if not targets:
            raise BadInputError(
                "no --target given", hint="pass --target once per shard, the source first"
            )
        action = "roll back" if rollback else "clean up" if cleanup else "reshard"
        if not yes:
            if not sys.stdin.isatty():
                raise BadInputError(
                    f"{action} changes live databases", hint="pass --yes to run without a prompt"
                )
            typer.confirm(f"{action.capitalize()} to {len(targets)} shards?", abort=True)
        options = Options(batch_size=batch_size, range_rows=range_rows, map_ttl=_map_ttl())
        with ProgressBar(enabled=not as_json and sys.stderr.isatty()) as progress:
            run = Reshard(source, targets, options, progress=progress)
            try:
                result = run.rollback() if rollback else run.cleanup() if cleanup else run.run()
            finally:
                run.close()
    except ReshardError as error:
        raise _reshard_error(error) from None
    _print_result(summary_dict(result), as_json, action)


def _print_result(result: dict[str, Any], as_json: bool, title: str) -> None:
    if as_json:
        typer.echo(json.dumps(result, default=str))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, show_header=False)
    for key, value in result.items():
        table.add_row(key, ", ".join(value) if isinstance(value, list) else str(value))
    Console().print(table)


class ProgressBar:
    """A rich progress bar on stderr (one task per phase), or nothing when not a terminal."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: Any = None
        self.tasks: dict[str, Any] = {}

    def __enter__(self) -> Any:
        if not self.enabled:
            return None
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        self.bar = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
        )
        self.bar.start()
        return self.update

    def update(self, phase: str, done: int, total: int) -> None:
        label = {
            "copy": "rows copied",
            "catch-up": "ranges moved",
            "rollback": "ranges back",
            "cleanup": "rows deleted",
        }
        if phase not in self.tasks:
            self.tasks[phase] = self.bar.add_task(label.get(phase, phase), total=total)
        self.bar.update(self.tasks[phase], completed=done, total=total)

    def __exit__(self, *_exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


app_group.command("stack")(app_stack.stack)


def register(root: typer.Typer) -> None:
    """Mount ``app`` on the gm-infra root."""
    app_group.add_typer(model_group, name="model")
    root.add_typer(app_group, name="app")
