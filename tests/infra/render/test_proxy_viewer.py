"""The instance proxy counts the viewer, not the CDN edge: CloudFront-Viewer-Address is
trusted from the trusted proxies only, is what reaches uvicorn as the one X-Forwarded-For
entry, and keys limit_req (real nginx, a backend that echoes what it got)."""

from __future__ import annotations

import http.client
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from infra.render.nginx import NginxOptions, Upstream, render_nginx
from tests.system_tools import free_port, require

ECHO = """
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        body = (self.headers.get("X-Forwarded-For") or "").encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
"""


def get(port: int, source: str, headers: dict[str, str]) -> tuple[int, str]:
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=5, source_address=(source, 0)
    )
    try:
        connection.request("GET", "/api/jobs", headers=headers)
        answer = connection.getresponse()
        return answer.status, answer.read().decode()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    nginx = require("nginx")
    runtime = tmp_path_factory.mktemp("proxy")
    backend_port, port = free_port(), free_port()
    backend = subprocess.Popen([sys.executable, "-c", ECHO, str(backend_port)])
    options = NginxOptions(
        kind="proxy",
        servers=(Upstream("127.0.0.1", backend_port),),
        listen=f"127.0.0.1:{port}",
        runtime_dir=str(runtime),
        trusted_proxies=("127.0.0.1/32",),  # the ALB's stand-in: 127.0.0.1 only
        rate_per_second=1,
        burst=3,
    )
    config = runtime / "nginx.conf"
    config.write_text(render_nginx(options))
    server = subprocess.Popen(
        [
            *(nginx, "-p", str(runtime), "-e", str(runtime / "error.log")),
            *("-c", str(config), "-g", "daemon off;"),
        ]
    )
    try:
        deadline = time.monotonic() + 10
        while True:  # nginx and the backend both up: a 200 through the proxy
            try:
                ready = get(port, "127.0.0.1", {"CloudFront-Viewer-Address": "192.0.2.250:1"})
                if ready[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the proxy and its backend did not come up"
            time.sleep(0.05)
        yield port
    finally:
        server.send_signal(signal.SIGQUIT)
        server.wait(timeout=20)
        backend.kill()
        backend.wait(timeout=10)


def test_the_viewer_address_from_the_trusted_proxy_reaches_the_app(proxy: int) -> None:
    headers = {"CloudFront-Viewer-Address": "203.0.113.9:4444", "X-Forwarded-For": "6.6.6.6"}
    assert get(proxy, "127.0.0.1", headers) == (200, "203.0.113.9")
    v6 = {"CloudFront-Viewer-Address": "2001:db8::7:51000"}
    assert get(proxy, "127.0.0.1", v6) == (200, "2001:db8::7")


def test_a_forged_viewer_address_from_elsewhere_is_ignored(proxy: int) -> None:
    headers = {"CloudFront-Viewer-Address": "203.0.113.9:4444", "X-Forwarded-For": "6.6.6.6"}
    assert get(proxy, "127.0.0.3", headers) == (200, "127.0.0.3")


def test_limit_req_counts_viewers_behind_one_edge_apart(proxy: int) -> None:
    """Both viewers arrive from the same proxy address (one CloudFront edge)."""
    flood = [
        get(proxy, "127.0.0.1", {"CloudFront-Viewer-Address": "198.51.100.1:1"})[0]
        for _ in range(8)
    ]
    assert 429 in flood, flood
    other = get(proxy, "127.0.0.1", {"CloudFront-Viewer-Address": "198.51.100.2:1"})
    assert other == (200, "198.51.100.2")
