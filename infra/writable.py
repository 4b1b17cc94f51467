"""Paths checked before any long work starts: a command that will write somewhere says at
once, in one line, when it cannot (exit 2), instead of failing after its work."""

from __future__ import annotations

import os
from pathlib import Path

from infra.errors import BadInputError


def check_out_file(path: Path, option: str = "--out") -> Path:
    """``path`` can be written: its folder exists and is writable, and it is not a folder."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise BadInputError(f"{option} {path} is a folder", hint="name a file to write")
    if not folder.is_dir():
        raise BadInputError(
            f"{option} {path}: the folder {folder} does not exist",
            hint=f"create it first (mkdir -p {folder}) or write elsewhere",
        )
    if not os.access(folder, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise BadInputError(f"{option} {path} is not writable", hint="write elsewhere")
    return path


def check_writable_dir(path: Path, what: str) -> Path:
    """``path`` is a folder gm-infra can create or write in (its nearest existing ancestor is
    a writable folder); ``what`` names it for the message (``GM_INFRA_HOME``...)."""
    probe = path
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if not probe.is_dir():
        raise BadInputError(
            f"{what} {path} cannot be a folder: {probe} is a file",
            hint=f"point {what} at a folder" if what.isupper() else "remove or rename that file",
        )
    if not os.access(probe, os.W_OK | os.X_OK):
        raise BadInputError(
            f"{what} {path} is not writable ({probe})", hint="use a writable folder"
        )
    return path


def check_data_dir() -> Path:
    """The working-data folder (``GM_INFRA_HOME`` or ``<project>/.gm-infra``) is writable."""
    from infra.paths import data_dir

    what = "GM_INFRA_HOME" if os.environ.get("GM_INFRA_HOME") else "the working-data folder"
    return check_writable_dir(data_dir(), what)
