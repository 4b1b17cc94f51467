"""Real nginx on loopback, rendered by the CLI, in front of three backend processes.

Least connections: one backend is slow, so it holds its connections longer and gets fewer
requests than round robin's third. Failover: one backend is SIGKILLed mid-run; requests
keep succeeding and the failures are at most the requests in flight at that moment.
"""

from __future__ import annotations

import http.client
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from tests.system_tools import free_port, require

BACKEND = """
import sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
port, name, delay = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        time.sleep(delay)
        body = name.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
"""
CLIENTS = 8


def wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listens on 127.0.0.1:{port}")


def get(port: int) -> str | None:
    """The backend's name, or None when the request failed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", "/jobs")
        response = connection.getresponse()
        body = response.read().decode()
        return body if response.status == 200 else None
    except OSError:
        return None
    finally:
        connection.close()


@pytest.fixture()
def stack(nginx_dir: Path) -> Iterator[tuple[int, dict[str, subprocess.Popen[bytes]]]]:
    """Three backends (b1 slow) and nginx in front, configured by ``gm-infra render nginx``."""
    nginx = require("nginx")
    delays = {"b1": 0.4, "b2": 0.05, "b3": 0.05}
    ports = {name: free_port() for name in delays}
    backends = {
        name: subprocess.Popen([sys.executable, "-c", BACKEND, str(ports[name]), name, str(delay)])
        for name, delay in delays.items()
    }
    front = free_port()
    config = nginx_dir / "nginx.conf"
    args = ["render", "nginx", "--listen", f"127.0.0.1:{front}", "--runtime-dir", str(nginx_dir)]
    for name in delays:
        args += ["--server", f"127.0.0.1:{ports[name]}"]
    result = CliRunner().invoke(app, [*args, "--out", str(config)])
    assert result.exit_code == 0, result.output
    server = None
    try:
        for port in ports.values():
            wait_for_port(port)
        server = subprocess.Popen(
            [nginx, "-e", str(nginx_dir / "error.log"), "-c", str(config), "-g", "daemon off;"]
        )
        wait_for_port(front)
        yield front, backends
    finally:
        if server is not None:
            server.send_signal(signal.SIGQUIT)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        for process in backends.values():
            process.kill()
            process.wait(timeout=10)


def test_least_connections_spreads_away_from_the_slow_backend(
    stack: tuple[int, dict[str, subprocess.Popen[bytes]]],
) -> None:
    front, _ = stack
    with ThreadPoolExecutor(CLIENTS) as pool:
        served = Counter(pool.map(lambda _: get(front), range(160)))
    assert served[None] == 0, served
    assert set(served) == {"b1", "b2", "b3"}, served
    # Round robin would give b1 a third (53); least_conn sends it far fewer.
    assert served["b1"] < 160 * 0.25, served


def test_killed_backend_costs_at_most_the_requests_in_flight(
    stack: tuple[int, dict[str, subprocess.Popen[bytes]]],
) -> None:
    front, backends = stack
    results: list[tuple[float, str | None]] = []
    lock = threading.Lock()
    done = threading.Event()
    dead_at = float("inf")

    def client() -> None:
        while not done.is_set():
            started = time.monotonic()
            answer = get(front)
            with lock:
                results.append((started, answer))  # when the request was sent

    def answered(count: int, after: float) -> bool:
        """Wait (bounded by a generous "never") for ``count`` requests sent after ``after``."""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with lock:
                if sum(1 for at, _ in results if at > after) >= count:
                    return True
            time.sleep(0.02)
        return False

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    try:
        # Counted in answers, not seconds: the same traffic on a quiet or a loaded machine.
        assert answered(30, 0.0), "no traffic through nginx"
        backends["b2"].kill()  # SIGKILL mid-run: its open connections just drop
        backends["b2"].wait()  # gone for sure: nothing sent from now on can reach it
        dead_at = time.monotonic()
        assert answered(30, dead_at), "no answers after the kill"
    finally:
        done.set()
        for thread in threads:
            thread.join()

    failures = [answer for _, answer in results if answer is None]
    after = Counter(answer for at, answer in results if at > dead_at)
    assert len(failures) <= CLIENTS, f"{len(failures)} failures, more than the {CLIENTS} in flight"
    assert len(results) > 50, len(results)
    assert after["b2"] == 0 and after["b3"] > 0 and after[None] == 0, after
