"""Tools and ports on the test machine: a missing tool skips the test with the reason,
or fails it under GM_REQUIRE_SERVICES=1."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import NoReturn

import pytest


def _missing(message: str) -> NoReturn:
    if os.environ.get("GM_REQUIRE_SERVICES") == "1":
        pytest.fail(f"GM_REQUIRE_SERVICES=1 but {message}")
    pytest.skip(message)


def require(binary: str) -> str:
    """The path of a system ``binary`` (PATH, then /usr/sbin and /sbin)."""
    path = shutil.which(binary) or shutil.which(binary, path="/usr/sbin:/sbin")
    if path:
        return path
    _missing(f"{binary} is not installed (apt-get install it, or run scripts/setup.sh as root)")


def require_tool(name: str) -> str:
    """The path of a tool on PATH or in the running venv's bin folder."""
    candidate = Path(sys.executable).parent / name
    path = shutil.which(name) or (str(candidate) if candidate.exists() else None)
    if path:
        return path
    _missing(f"{name} is not installed")


def require_checkov() -> None:
    """checkov's own venv (scripts/setup.sh makes .venv-checkov)."""
    from infra.validate.checkov_judge import find_checkov

    if find_checkov() is None:
        _missing("checkov is not installed (scripts/setup.sh makes .venv-checkov)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def nginx_test(config: Path, runtime: Path) -> subprocess.CompletedProcess[str]:
    """``nginx -t`` on a complete config."""
    nginx = require("nginx")
    return subprocess.run(
        [nginx, "-t", "-q", "-e", str(runtime / "error.log"), "-c", str(config)],
        capture_output=True,
        text=True,
        timeout=30,
    )
