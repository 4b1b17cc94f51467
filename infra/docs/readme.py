"""The generated blocks of README.md and how to bring them up to date."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.docs.cli_reference import cli_reference
from infra.docs.markdown import replace_block
from infra.docs.settings_reference import settings_reference

REPO_ROOT = Path(__file__).resolve().parents[2]
README = REPO_ROOT / "README.md"
CLI_NAME = "gm-infra"
WRITE_COMMAND = ".venv/bin/gm-infra docs --write"


@dataclass(frozen=True)
class Block:
    """One generated block: the file it lives in, its marker name and its text."""

    path: Path
    name: str
    body: str


def blocks(cli_root: Any, readme: Path = README) -> list[Block]:
    """Every generated block, from the CLI's root command and the settings models."""
    return [
        Block(readme, "CLI REFERENCE", cli_reference(cli_root, CLI_NAME, REPO_ROOT)),
        Block(readme, "SETTINGS REFERENCE", settings_reference()),
    ]


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
