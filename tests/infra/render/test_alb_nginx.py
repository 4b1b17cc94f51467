"""nginx rendered from the phase-4 Plan routes every path as the ALB would (real nginx)."""

from __future__ import annotations

import dataclasses
import http.client
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.plan.build import plan_for_phase
from infra.plan.listener import routing_table
from infra.render.alb_nginx import StandInOptions, render_stand_in, rule_regex
from infra.render.alb_routes import (
    FixedResponse,
    Forward,
    HeaderMatch,
    Redirect,
    RoutingTable,
    route,
)
from infra.render.nginx import Upstream
from tests.system_tools import free_port, nginx_test, require

# One process, one listening port per fleet; each answers with its fleet's name.
BACKENDS = """
import sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
def serve(port, name):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def do_GET(self):
            body = name.encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        def log_message(self, *args):
            pass
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
for spec in sys.argv[1:]:
    port, name = spec.split("=")
    threading.Thread(target=serve, args=(int(port), name), daemon=True).start()
threading.Event().wait()
"""
PATHS = [
    "/",
    "/health",
    "/jobs",
    "/api/jobs?page=2",
    "/api/match",
    "/api/match/careers",
    "/api/matches",
    "/api/ai/embed",
    "/api/ai",
    "/api/embeddings/x",
    "/api/auth/login",
    "/api/analytics/sdg",
    "/metrics",
    "/metrics/x",
    "/metricsx",
]


@pytest.fixture(scope="module")
def table() -> RoutingTable:
    return routing_table(plan_for_phase(4))


@pytest.fixture()
def runtime(tmp_path: Path) -> Path:
    folder = tmp_path / "nginx"
    folder.mkdir()
    for path in (folder, *folder.parents):  # nobody (the workers under root) must reach it
        if path in (Path("/tmp"), Path("/")):
            break
        path.chmod(0o755)
    return folder


VERIFY = "local-origin-verify-value"  # what the CDN stand-in would send
CDN = {"X-Origin-Verify": VERIFY}


def local(table: RoutingTable) -> RoutingTable:
    """The table with the local header value in place of the Plan's redacted one."""
    rules = tuple(
        dataclasses.replace(r, header=HeaderMatch(r.header.name, (VERIFY,))) if r.header else r
        for r in table.rules
    )
    return dataclasses.replace(table, rules=rules)


def render(table: RoutingTable, runtime: Path, port: int, ports: dict[str, int]) -> Path:
    servers = {name: (Upstream("127.0.0.1", p),) for name, p in ports.items()}
    config = runtime / "nginx.conf"
    options = StandInOptions(
        "phase4", table, servers, f"127.0.0.1:{port}", str(runtime), header_value=VERIFY
    )
    config.write_text(render_stand_in(options))
    return config


def test_rule_regex_joins_a_rules_paths() -> None:
    assert rule_regex(("/api/match",)) == "^/api/match$"
    assert rule_regex(("/api/match", "/api/match/*")) == "^(?:/api/match|/api/match/.*)$"


def test_the_rendered_config_passes_nginx_t(table: RoutingTable, runtime: Path) -> None:
    ports = {fleet.name: free_port() for fleet in table.fleets()}
    config = render(table, runtime, free_port(), ports)
    result = nginx_test(config, runtime)
    assert result.returncode == 0, result.stderr
    text = config.read_text()
    # one location per rule, in priority order, then the default
    headers = [f"# rule {rule.name}, priority {rule.priority}" for rule in table.rules]
    positions = [text.index(header) for header in headers]
    assert positions == sorted(positions)
    assert text.index("location / {") > positions[-1]
    # slow clients: nginx's 60 s defaults lowered (the app bounds a whole body too)
    assert "client_header_timeout 10s;" in text and "client_body_timeout 10s;" in text


def test_a_fleet_without_processes_is_refused(table: RoutingTable, runtime: Path) -> None:
    ports = {fleet.name: free_port() for fleet in table.fleets()[1:]}
    with pytest.raises(ValueError, match=f"no process plays fleet {table.fleets()[0].name}"):
        render(table, runtime, free_port(), ports)


@pytest.fixture()
def backends(table: RoutingTable) -> Iterator[dict[str, int]]:
    ports = {fleet.name: free_port() for fleet in table.fleets()}
    args = [f"{port}={name}" for name, port in ports.items()]
    process = subprocess.Popen([sys.executable, "-c", BACKENDS, *args])
    try:
        for port in ports.values():
            wait_for(port, "/")
        yield ports
    finally:
        process.kill()
        process.wait(timeout=10)


def get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path, headers=headers or {})
        answer = connection.getresponse()
        return answer.status, answer.read().decode()
    finally:
        connection.close()


def wait_for(port: int, path: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            get(port, path)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_nginx_routes_each_path_where_the_alb_would(
    table: RoutingTable, runtime: Path, backends: dict[str, int]
) -> None:
    nginx = require("nginx")
    port = free_port()
    config = render(table, runtime, port, backends)
    process = subprocess.Popen(
        [
            *(nginx, "-p", str(runtime), "-e", str(runtime / "error.log")),
            *("-c", str(config), "-g", "daemon off;"),
        ]
    )
    played = local(table)
    reached = set()
    try:
        wait_for(port, "/")
        for path in PATHS:
            for headers in (CDN, {}, {"X-Origin-Verify": "forged-value-1234"}):
                expected = route(played, path.partition("?")[0], headers)
                reached.add(expected)
                status, body = get(port, path, headers)
                if isinstance(expected, FixedResponse):
                    assert (status, body) == (expected.status, expected.body), path
                elif isinstance(expected, Redirect):
                    assert status == expected.status, (path, headers)
                else:
                    assert isinstance(expected, Forward)
                    assert (status, body) == (200, expected.fleet.name), path
    finally:
        process.send_signal(signal.SIGQUIT)
        process.wait(timeout=20)
    # every fleet but the AI service's (internal: its paths answer 404 first) was reached
    fleets = {a.fleet.service for a in reached if isinstance(a, Forward)}
    assert fleets == {f.service for f in table.fleets()} - {"ai-ml"}
    assert route(played, "/api/ai/embed", CDN) == FixedResponse(404, "text/plain", "not found")
