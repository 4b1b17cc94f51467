"""The exit-code contract every gm-infra command keeps, in one place.

0 success · 1 a check failed (policy, validation, verify, ``diff --exit-code``, a declined
confirmation) · 2 bad usage or input (unwritable paths, missing files, unknown refs, bad
settings) · 3 a failure outside gm-infra (AWS, the emulator, git, a tool it runs) ·
130 interrupted (Ctrl-C or SIGTERM). Errors are one line plus a hint on stderr, never a
traceback; ``GM_INFRA_DEBUG=1`` lets the traceback through.
"""

from __future__ import annotations

import errno
import os
import shlex
import signal
import subprocess
from collections.abc import Callable
from types import FrameType
from typing import Any

import typer

from infra.children import stop_all
from infra.errors import (
    EXIT_EXTERNAL,
    EXIT_INTERRUPTED,
    BadInputError,
    ExternalError,
    GmError,
)

# OS errors that say the user named a path that cannot be used (exit 2); others are 3.
BAD_PATH_ERRNOS = {
    errno.EACCES,
    errno.EPERM,
    errno.ENOENT,
    errno.ENOTDIR,
    errno.EISDIR,
    errno.EROFS,
    errno.EEXIST,
    errno.ENAMETOOLONG,
}


ARGV_KEY = "gm_infra.argv"  # the root puts the command line here, for the resume hint


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that ``finally`` blocks clean up."""


def install_sigterm() -> None:
    """Make SIGTERM (a CI cancel) interrupt the command like Ctrl-C does."""

    def raise_terminated(signum: int, frame: FrameType | None) -> None:
        raise Terminated()

    signal.signal(signal.SIGTERM, raise_terminated)


def debug() -> bool:
    return os.environ.get("GM_INFRA_DEBUG", "") not in {"", "0", "false", "no"}


def as_known(error: BaseException) -> GmError | None:
    """The contract's reading of an exception a command let through (None: not ours)."""
    if isinstance(error, GmError):
        return error
    if isinstance(error, OSError) and error.errno is not None:
        where = f" {error.filename}" if error.filename else ""
        text = f"cannot use{where}: {error.strerror}"
        if error.errno in BAD_PATH_ERRNOS:
            return BadInputError(text, hint="check the path exists and is writable")
        return ExternalError(text)
    module = type(error).__module__
    if module.startswith(("botocore", "boto3")):
        return ExternalError(f"AWS: {error}", hint="check credentials, region and the endpoint")
    if isinstance(error, subprocess.SubprocessError):
        return ExternalError(f"a tool gm-infra runs failed: {error}")
    return None


def say(error: GmError) -> None:
    typer.secho(f"error: {error.message}", err=True, fg=typer.colors.RED)
    if error.hint:
        typer.echo(f"hint: {error.hint}", err=True)


def interrupted(ctx: typer.Context, error: KeyboardInterrupt) -> None:
    """Stop what the command started and say how to resume (exit 130)."""
    stopped = stop_all()
    what = "SIGTERM" if isinstance(error, Terminated) else "Ctrl-C"
    command = shlex.join(["gm-infra", *ctx.meta.get(ARGV_KEY, [])])
    children = f"{stopped} child process(es) stopped; " if stopped else ""
    typer.secho(
        f"interrupted ({what}): {children}worktrees and temporary folders removed",
        err=True,
        fg=typer.colors.YELLOW,
    )
    typer.echo(
        f"hint: rerun `{command}` to resume: finished work (plan cache, deployed "
        "resources in the state file, copied rows) is kept",
        err=True,
    )


def unexpected(error: BaseException) -> None:
    typer.secho(f"error: unexpected {type(error).__name__}: {error}", err=True, fg=typer.colors.RED)
    typer.echo("hint: GM_INFRA_DEBUG=1 shows where; please report it", err=True)


def run_guarded(ctx: typer.Context, invoke: Callable[[], Any]) -> Any:
    """Run ``invoke()`` under the contract: known errors, OS errors, AWS errors and
    interrupts become one line and their exit code; click's own exits pass through."""
    try:
        return invoke()
    except KeyboardInterrupt as error:
        if debug():
            raise
        interrupted(ctx, error)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except Exception as error:
        if debug() or _cli_own(error):
            raise
        known = as_known(error)
        if known is None:
            stop_all()
            unexpected(error)
            raise typer.Exit(EXIT_EXTERNAL) from None
        stop_all()
        say(known)
        raise typer.Exit(known.exit_code) from None


def _cli_own(error: BaseException) -> bool:
    """typer's (vendored click's) own exits, usage errors and aborts: it reports them."""
    return type(error).__module__.startswith(("typer", "click"))
