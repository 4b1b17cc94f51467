"""``gm-infra app stack``: a phase's data plane on this machine, behind nginx built from the
Plan's ALB listener rules; ``--status`` and ``--stop`` from another terminal."""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
from pathlib import Path
from types import FrameType
from typing import Annotated, Any

import typer

from infra.commands.options import FormatOption, OutputFormat
from infra.errors import BadInputError, CheckFailedError
from infra.extras import require_extra
from infra.local_services import mariadb, redis, stack_state
from infra.local_services.parameters import local_parameters
from infra.local_services.processes import (
    StartFailed,
    same_process,
    signal_group,
)
from infra.ports import port_is_free

MODELS = ("bundled:all-mpnet-base-v2", "bundled:all-MiniLM-L6-v2")
PHASE4_MODEL = MODELS[0]  # the seed's model, 768 dimensions
DEFAULT_PORT = 8080
DEFAULT_CDN_PORT = 8443
STOP_SECONDS = 60.0


class Stopping(Exception):
    """SIGTERM or SIGINT arrived: stop everything."""


def default_state_dir() -> Path:
    return Path.cwd() / ".gm" / "stack"


def stack(
    phase: Annotated[
        int | None, typer.Option("--phase", "-p", min=1, max=4, help="Growth phase, 1 to 4.")
    ] = None,
    port: Annotated[
        int, typer.Option("--port", min=1, max=65535, help="nginx (the ALB stand-in) listens here.")
    ] = DEFAULT_PORT,
    cdn_port: Annotated[
        int,
        typer.Option(
            "--cdn-port",
            min=1,
            max=65535,
            help="The CDN stand-in's HTTPS port: the URL to open (its CA is in --status).",
        ),
    ] = DEFAULT_CDN_PORT,
    state_dir: Annotated[
        Path | None,
        typer.Option(
            "--state-dir",
            help="Data, logs and the state file (default: ./.gm/stack). One stack per folder.",
        ),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            help=f"EMBEDDING_MODEL of the app processes: {' or '.join(MODELS)} (default: "
            "the first for phase 4, the app's own default before).",
        ),
    ] = None,
    show_status: Annotated[
        bool, typer.Option("--status", help="Show the running stack, health probed live.")
    ] = False,
    stop_stack: Annotated[
        bool, typer.Option("--stop", help="Stop the stack running from --state-dir.")
    ] = False,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Run a phase's data plane on loopback: MariaDB and Redis configured like the Plan's
    parameter groups, each fleet's app processes, real nginx rendered from the Plan's ALB
    listener rules, and in front of it the CDN stand-in rendered from the Plan's
    distribution (HTTPS with a local CA). Ctrl-C or SIGTERM stops it all.

    Example: gm-infra app stack --phase 4   (then open https://127.0.0.1:8443, trusting
    the CA that --status names)
    """
    folder = (state_dir or default_state_dir()).resolve()
    as_json = fmt == OutputFormat.json
    if show_status and stop_stack:
        raise BadInputError("give at most one of --status and --stop")
    if show_status:
        _print_status(folder, as_json)
        return
    if stop_stack:
        _stop_running(folder)
        return
    if phase is None:
        raise BadInputError("--phase is needed to start a stack", hint="e.g. --phase 4")
    if model is not None and model not in MODELS:
        raise BadInputError(f"--model {model!r} is not allowed", hint=f"one of {', '.join(MODELS)}")
    if cdn_port == port:
        raise BadInputError(f"--cdn-port and --port are both {port}", hint="give two ports")
    chosen = model or (PHASE4_MODEL if phase == 4 else None)
    _run(phase, (port, cdn_port), folder, chosen, as_json)


def _run(
    phase: int, ports: tuple[int, int], folder: Path, model: str | None, as_json: bool
) -> None:
    require_extra("app", "gm-infra app stack")
    _check_binaries()
    for option, port in zip(("--port", "--cdn-port"), ports, strict=True):
        if not port_is_free(port):
            raise BadInputError(
                f"127.0.0.1:{port} is already in use", hint=f"pass {option} with a free port"
            )
    lock = stack_state.acquire(folder)
    if lock is None:
        state = stack_state.read(folder) or {}
        raise BadInputError(
            f"a stack is already running from {folder} ({state.get('url') or 'starting'})",
            hint="stop it (Ctrl-C there, or gm-infra app stack --stop), "
            "or pass another --state-dir",
        )
    try:
        _stop_leftovers(folder)
        _supervise(phase, ports, folder, model, as_json)
    finally:
        stack_state.remove(folder)
        lock.release()


def _supervise(
    phase: int, ports: tuple[int, int], folder: Path, model: str | None, as_json: bool
) -> None:
    # Imported only when a stack starts: the plan builder and the local stack import Pulumi.
    from infra.local_services.cdn_nginx import NOT_EMULATED
    from infra.local_services.cdn_routes import distribution
    from infra.local_services.stack import LocalStack, failure_report
    from infra.plan.build import plan_for_phase
    from infra.plan.listener import routing_table
    from infra.program import REPO_ROOT
    from infra.render.alb_routes import RoutesError

    port, cdn_port = ports

    def progress(message: str) -> None:
        typer.echo(f"stack: {message}", err=True)

    progress(f"planning phase {phase} offline")
    plan = plan_for_phase(phase)
    try:
        table = routing_table(plan)
    except RoutesError as error:
        raise CheckFailedError(f"the phase-{phase} listener: {error}") from None
    try:
        cdn = distribution(plan, REPO_ROOT)
    except RoutesError as error:
        raise CheckFailedError(f"the phase-{phase} distribution: {error}") from None
    progress("the CDN stand-in does not emulate: " + "; ".join(NOT_EMULATED))
    try:
        parameters = local_parameters(plan)
    except ValueError as error:
        raise CheckFailedError(f"the phase-{phase} parameter groups: {error}") from None
    for line in parameters.report():
        progress(line)
    local = LocalStack(
        phase,
        plan.stack,
        table,
        folder,
        port,
        model,
        dict(os.environ),
        progress,
        parameters,
        distribution=cdn,
        cdn_port=cdn_port,
    )

    def record(url: str | None, cdn: dict[str, str] | None = None) -> None:
        processes: dict[str, Any] = {}
        for item in list(local.running):
            processes[item.child.name] = stack_state.entry(
                item.child.pid, item.child.port, item.kind, item.health
            )
        stack_state.write(
            folder,
            {
                "phase": phase,
                "stack": plan.stack,
                "url": url,
                "cdn": cdn,
                "supervisor": stack_state.entry(os.getpid(), None, "supervisor"),
                "processes": processes,
            },
        )

    local.on_change = lambda: record(None)
    previous = {sig: signal.signal(sig, _raise_stopping) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        record(None)
        try:
            local.start()
        except mariadb.DataFolderMismatch as error:
            raise BadInputError(str(error)) from None
        except StartFailed as error:
            raise CheckFailedError(
                f"the stack did not start: {failure_report(error)}",
                hint=f"every process it started is stopped again; logs in {folder / 'logs'}",
            ) from None
        record(local.url, {"url": str(local.cdn_url), "ca": str(local.ca)})
        if as_json:
            typer.echo(json.dumps(stack_state.status(stack_state.read(folder) or {})))
        else:
            typer.echo(local.cdn_url)
        progress(
            f"phase {phase} is up on {local.cdn_url} (trust {local.ca}; the ALB stand-in "
            f"{local.url} answers only the CDN's requests); Ctrl-C stops it"
        )
        _watch(local)
    except Stopping:
        progress("stopping")
    finally:
        for sig in previous:  # a second Ctrl-C must not cut the clean-up short
            signal.signal(sig, signal.SIG_IGN)
        local.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    progress("stopped")


def _watch(local: Any) -> None:
    """Until a signal: say once when a process exits (the others keep serving)."""
    reported: set[str] = set()
    while True:
        for item in local.running:
            child = item.child
            if child.name not in reported and not child.running():
                reported.add(child.name)
                typer.echo(
                    f"stack: {child.name} (pid {child.pid}) exited with code "
                    f"{child.process.returncode}; log: {child.log}",
                    err=True,
                )
        time.sleep(0.5)


def _raise_stopping(signum: int, _frame: FrameType | None) -> None:
    raise Stopping(signal.Signals(signum).name)


def _check_binaries() -> None:
    problems = []
    if not os.environ.get("DATABASE_URL"):
        problems.append(mariadb.missing())
    if not os.environ.get("REDIS_URL"):
        problems.append(redis.missing())
    if not (shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")):
        problems.append("nginx is not installed (apt-get install -y nginx)")
    found = [problem for problem in problems if problem]
    if found:
        raise BadInputError("; ".join(found), hint="scripts/setup.sh installs all three")


def _print_status(folder: Path, as_json: bool) -> None:
    state = stack_state.read(folder)
    if state is None or not stack_state.held(folder):
        if as_json:
            typer.echo(json.dumps({"url": None, "running": False, "services": {}}))
        raise CheckFailedError(
            f"no stack is running from {folder}", hint="start one: gm-infra app stack --phase N"
        )
    result = {"running": True, **stack_state.status(state)}
    if as_json:
        typer.echo(json.dumps(result))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"phase {result['phase']} on {result['url'] or '(starting)'}")
    for column in ("name", "kind", "pid", "port", "healthy"):
        table.add_column(column)
    if result.get("cdn"):
        Console().print(f"CDN {result['cdn']['url']} (CA {result['cdn']['ca']})")
    for name, service in result["services"].items():
        table.add_row(
            name,
            str(service["kind"]),
            str(service["pid"]),
            str(service["port"] or ""),
            "yes" if service["healthy"] else "NO",
        )
    Console().print(table)


def _stop_running(folder: Path) -> None:
    """SIGTERM to the supervising process, which stops its children; wait for it."""
    state = stack_state.read(folder)
    if not stack_state.held(folder):
        if not _stop_leftovers(folder):
            raise CheckFailedError(f"no stack is running from {folder}")
        return
    supervisor = (state or {}).get("supervisor") or {}
    pid = int(supervisor.get("pid", 0))
    if not pid or not same_process(pid, supervisor.get("started")):
        raise CheckFailedError(
            f"the stack in {folder} is locked but its state names no live supervisor",
            hint="wait for it to finish starting, then try again",
        )
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    while stack_state.held(folder):
        if time.monotonic() > deadline:
            raise CheckFailedError(
                f"the stack (pid {pid}) did not stop within {STOP_SECONDS:.0f} s"
            )
        time.sleep(0.2)
    typer.echo("stack: stopped", err=True)


def _stop_leftovers(folder: Path) -> int:
    """Stop the processes a stack that died without cleaning up recorded (verified by start
    time, so a recycled pid is never signalled); returns how many were still running."""
    state = stack_state.read(folder)
    if state is None:
        return 0
    alive = [
        process
        for process in state.get("processes", {}).values()
        if same_process(int(process["pid"]), process.get("started"))
    ]
    for process in alive:
        stop_signal = signal.SIGQUIT if process.get("kind") in ("nginx", "cdn") else signal.SIGTERM
        signal_group(int(process["pid"]), stop_signal)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(
        same_process(int(p["pid"]), p.get("started")) for p in alive
    ):
        time.sleep(0.2)
    for process in alive:
        if same_process(int(process["pid"]), process.get("started")):
            signal_group(int(process["pid"]), signal.SIGKILL)
    stack_state.remove(folder)
    if alive:
        typer.echo(f"stack: stopped {len(alive)} processes left by an earlier stack", err=True)
    return len(alive)
