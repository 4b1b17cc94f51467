"""A real uvicorn server in a thread, and throwaway redis-server / mariadbd processes.

The fault tests suspend their own processes with SIGSTOP (a hung server: the port accepts
connections that never answer) and resume them with SIGCONT; never the shared services.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

from tests.app import mariadb_pair

REDIS_SERVER = "redis-server"


def require(missing: str | None) -> None:
    """Skip with the reason, or fail under GM_REQUIRE_SERVICES=1."""
    if missing is None:
        return
    if os.environ.get("GM_REQUIRE_SERVICES") == "1":
        pytest.fail(missing)
    pytest.skip(missing)


@dataclass
class LiveServer:
    """``uvicorn.Server`` on a free loopback port, with the app's thread pool as deployed."""

    app: FastAPI
    port: int = field(default_factory=mariadb_pair.free_port)
    server: uvicorn.Server | None = None
    thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, log_level="warning", access_log=False
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="uvicorn", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 120
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.server is not None:
            self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(timeout=30)


@contextmanager
def live(app: FastAPI) -> Iterator[LiveServer]:
    server = LiveServer(app)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def raw_get(port: int, target: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """One HTTP/1.1 GET with ``target`` sent exactly as given (no client normalisation)."""
    lines = [f"GET {target} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0
    return status, data


class Suspendable:
    """A child process that can be hung (SIGSTOP) and resumed (SIGCONT)."""

    process: subprocess.Popen[bytes] | None

    @contextmanager
    def hung(self) -> Iterator[None]:
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)
        try:
            yield
        finally:
            self.process.send_signal(signal.SIGCONT)


@dataclass
class RedisServer(Suspendable):
    """``redis-server`` on a spare loopback port, nothing on disk."""

    workdir: Path
    port: int = field(default_factory=mariadb_pair.free_port)
    process: subprocess.Popen[bytes] | None = None

    @staticmethod
    def missing() -> str | None:
        if shutil.which(REDIS_SERVER) is None:
            return "redis-server is not installed (apt-get install -y redis-server)"
        return None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, *extra: str) -> None:
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir), *extra],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 120  # a bound on "never": ends when it answers PONG
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server on port {self.port} did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            self.process.wait(timeout=15)
        self.process = None


class MariaDBServer(Suspendable):
    """One throwaway ``mariadbd`` (see ``mariadb_pair``), suspendable."""

    def __init__(self, root: Path) -> None:
        template = root / "template"
        subprocess.run(
            [mariadb_pair.INSTALL_DB, "--no-defaults", f"--datadir={template}", "--user=root",
             "--auth-root-authentication-method=normal", "--skip-test-db"],
            check=True, capture_output=True,
        )  # fmt: skip
        self.server = mariadb_pair.Server(template, mariadb_pair.free_port(), 7)
        self.server.start()

    @property
    def process(self) -> subprocess.Popen[bytes] | None:  # type: ignore[override]
        return self.server.process

    def url(self, database: str) -> str:
        return self.server.url(database)

    def stop(self) -> None:
        if self.server.process is not None and self.server.process.poll() is None:
            self.server.process.send_signal(signal.SIGCONT)
        self.server.stop()


@dataclass
class AiServiceProcess(Suspendable):
    """The AI service (``SERVICE_NAME=ai``, the bundled MiniLM) as its own uvicorn process
    on a spare port, so a test can hang it with SIGSTOP as a partition would."""

    workdir: Path
    port: int = field(default_factory=mariadb_pair.free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS"))},
            "SERVICE_NAME": "ai",
            "APP_ENV": "local",
            "EMBEDDING_MODEL": "bundled:all-MiniLM-L6-v2",
            "DATA_DIR": str(self.workdir),
            "HF_HUB_OFFLINE": "1",
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "app.main:create_app",
             "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 120
        while True:  # the model loads before the port opens
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    if sock.recv(64).startswith(b"HTTP/1.1 200"):
                        return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the AI service on port {self.port} did not start")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            self.process.wait(timeout=30)
        self.process = None
