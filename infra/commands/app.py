"""``gm-infra app serve``: run the bundled Green Matchers app (uvicorn, app factory)."""

from __future__ import annotations

import socket
from typing import Annotated

import typer
from pydantic import ValidationError

from infra.errors import BadInputError
from infra.extras import require_extra

app_group = typer.Typer(
    help="The bundled Green Matchers matching app.", no_args_is_help=True, add_completion=False
)

HostOption = Annotated[str, typer.Option("--host", help="Address to listen on.")]
PortOption = Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")]
WorkersOption = Annotated[int, typer.Option("--workers", min=1, max=64, help="Worker processes.")]


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


@app_group.command("serve")
def serve(
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    workers: WorkersOption = 1,
) -> None:
    """Serve the app: embedded SQLite, in-process cache and demo data unless the environment
    sets DATABASE_URL, DATABASE_URL_READ, DATABASE_SHARD_URLS or REDIS_URL (see app/README.md).

    Example: gm-infra app serve --port 8000   (then open http://127.0.0.1:8000)
    """
    require_extra("app", "gm-infra app serve")
    import uvicorn

    from app.core.settings import Settings

    try:
        settings = Settings()
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "settings"
        raise BadInputError(
            f"app setting {field.upper()}: {first['msg']}", hint="see app/README.md"
        ) from None
    if not port_is_free(host, port):
        raise BadInputError(f"{host}:{port} is already in use", hint="pass --port with a free port")
    database = (
        settings.database_url.split("@")[-1] if settings.database_url else settings.writer_url
    )
    typer.echo(
        f"Green Matchers on http://{host}:{port}  (database: {database}, "
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
    )


def register(root: typer.Typer) -> None:
    """Mount ``app`` on the gm-infra root."""
    root.add_typer(app_group, name="app")
