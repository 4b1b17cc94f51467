"""Shared fixtures for the render tests: tool lookup, a TLS pair, free ports."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from infra.render.examples import example_context
from infra.render.userdata import UserDataContext

# Every role and phase the stacks render: (role, phase, service_name).
ROLE_PHASES: list[tuple[str, int, str | None]] = [
    ("api", 1, None),
    ("api", 2, None),
    ("worker", 2, None),
    ("api", 3, None),
    ("worker", 3, None),
    ("api", 4, None),
    ("worker", 4, None),
    ("service", 4, "matching"),
]


def require(binary: str) -> str:
    """The path of ``binary``; skip without it, fail instead when GM_REQUIRE_SERVICES=1."""
    path = shutil.which(binary) or shutil.which(binary, path="/usr/sbin:/sbin")
    if path:
        return path
    message = f"{binary} is not installed (apt-get install it, or run scripts/setup.sh as root)"
    if os.environ.get("GM_REQUIRE_SERVICES") == "1":
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def context(role: str, phase: int, service: str | None) -> UserDataContext:
    return example_context(role, phase, service)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def tls_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate and its key, made with openssl."""
    openssl = require("openssl")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture()
def nginx_dir(tmp_path: Path) -> Path:
    """A runtime dir nginx's workers (nobody, when run as root) can reach."""
    folder = tmp_path / "nginx"
    folder.mkdir()
    for path in (folder, *folder.parents):
        if path == Path("/tmp") or path == Path("/"):
            break
        path.chmod(0o755)
    return folder


def nginx_test(config: Path, runtime: Path) -> subprocess.CompletedProcess[str]:
    """``nginx -t`` on a complete config."""
    nginx = require("nginx")
    return subprocess.run(
        [nginx, "-t", "-q", "-e", str(runtime / "error.log"), "-c", str(config)],
        capture_output=True,
        text=True,
        timeout=30,
    )
