"""A second clone of this repository in tmp_path, and gm-infra run as a user runs it there:
the installed console entry point as a subprocess whose working directory is that clone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[3]
# -P: the working directory (the clone, with its own cli/ and infra/) is not put on sys.path,
# so the installed gm-infra runs, as the console script does.
GM = [sys.executable, "-P", "-c", "import sys, cli; sys.argv[0] = 'gm-infra'; cli.main()"]
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Second Clone",
    "GIT_AUTHOR_EMAIL": "clone@example.com",
    "GIT_COMMITTER_NAME": "Second Clone",
    "GIT_COMMITTER_EMAIL": "clone@example.com",
}


def git(cwd: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **GIT_ENV},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return result.stdout


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """A fresh clone, on a branch of its own (``trunk-here``) that the install has not."""
    folder = tmp_path / "second-clone"
    subprocess.run(
        ["git", "clone", "--quiet", "--no-hardlinks", str(REPO), str(folder)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    git(folder, "checkout", "--quiet", "-b", "trunk-here")
    return folder


def gm(cwd: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 600) -> Any:
    """``gm-infra ARGS`` run from ``cwd``; GM_INFRA_STACKS_DIR unset (the project decides)."""
    base = {k: v for k, v in os.environ.items() if k != "GM_INFRA_STACKS_DIR"}
    return subprocess.run(
        [*GM, *args],
        cwd=cwd,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
