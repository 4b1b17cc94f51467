"""The generated blocks of README.md and app/README.md and how to bring them up to date."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.docs.cli_reference import cli_reference
from infra.docs.markdown import replace_block
from infra.docs.settings_reference import settings_reference
from infra.errors import BadInputError

REPO_ROOT = Path(__file__).resolve().parents[2]
README = REPO_ROOT / "README.md"
APP_README = REPO_ROOT / "app" / "README.md"
APP_REFERENCE_MODULE = "app.core.settings_reference"
# Importing the app's settings takes about a second; the bound is for a wedged interpreter.
APP_REFERENCE_TIMEOUT_SECONDS = 60
CLI_NAME = "gm-infra"
WRITE_COMMAND = ".venv/bin/gm-infra docs --write"


@dataclass(frozen=True)
class Block:
    """One generated block: the file it lives in, its marker name and its text."""

    path: Path
    name: str
    body: str


def blocks(cli_root: Any) -> list[Block]:
    """Every generated block: the CLI's commands, the stack settings, the app's environment."""
    return [
        Block(README, "CLI REFERENCE", cli_reference(cli_root, CLI_NAME, REPO_ROOT)),
        Block(README, "SETTINGS REFERENCE", settings_reference()),
        Block(APP_README, "ENVIRONMENT REFERENCE", app_environment_reference()),
    ]


def app_environment_reference() -> str:
    """The app prints its own reference: infra does not import the app, which reaches the
    instances as an artifact and needs the ``app`` extra."""
    try:
        result = subprocess.run(
            [sys.executable, "-m", APP_REFERENCE_MODULE],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=APP_REFERENCE_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        result = subprocess.CompletedProcess([], 1, "", "timed out")
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise BadInputError(
            f"python -m {APP_REFERENCE_MODULE} failed: {last}",
            hint="the app's reference needs the app extra: .venv/bin/pip install -e '.[app]'",
        )
    return result.stdout


def stale(wanted: list[Block]) -> list[Block]:
    """The blocks whose file does not hold their current text."""
    return [b for b in wanted if _updated(b) != b.path.read_text()]


def write(wanted: list[Block]) -> list[Block]:
    """Bring every stale block up to date; return the ones that changed."""
    changed = stale(wanted)
    for block in changed:
        block.path.write_text(_updated(block))
    return changed


def _updated(block: Block) -> str:
    return replace_block(block.path.read_text(), block.name, block.body)
