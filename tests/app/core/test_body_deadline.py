"""A request body must arrive within BODY_READ_TIMEOUT_SECONDS: raw sockets against a real
uvicorn, with a short deadline so the tests are quick. A stalled or dripped body gets 408
and the connection is closed; a prompt body, a request without one, and a slow answer are
left alone."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from app.core.body_deadline import BodyDeadline, has_body
from app.core.settings import Settings
from app.main import create_app
from tests.app.conftest import embedded_settings
from tests.app.live_server import LiveServer, live

DEADLINE = 0.5  # seconds: the configured body-read timeout in these tests
PATIENCE = 30.0  # seconds a test waits for an answer at most (a loaded machine)


def head(method: str, path: str, headers: dict[str, str]) -> bytes:
    lines = [
        f"{method} {path} HTTP/1.1",
        "Host: 127.0.0.1",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def read_answer(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of the one answer on ``sock``, read until it closes."""
    sock.settimeout(PATIENCE)
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    head_part, _, body = data.partition(b"\r\n\r\n")
    lines = head_part.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1]) if lines[0].startswith("HTTP/") else 0
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, body


def answered(sock: socket.socket) -> bool:
    """Whether the server has sent something (or closed) on ``sock``, without waiting."""
    sock.setblocking(False)
    try:
        return sock.recv(1, socket.MSG_PEEK) is not None
    except BlockingIOError:
        return False
    finally:
        sock.setblocking(True)


@pytest.fixture(scope="module")
def auth_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The auth service (no model to load) with a 0.5 s body deadline."""
    settings = embedded_settings(
        tmp_path_factory.mktemp("deadline"), body_read_timeout_seconds=DEADLINE
    )
    with live(create_app(settings, service="auth")) as server:
        yield server


JSON_HEADERS = {"Content-Type": "application/json", "Connection": "close"}
LOGIN = json.dumps({"email": "nobody@example.org", "password": "not the password"}).encode()


def test_a_body_that_stops_halfway_gets_408_and_the_connection_closes(
    auth_server: LiveServer,
) -> None:
    with socket.create_connection(("127.0.0.1", auth_server.port), timeout=PATIENCE) as sock:
        started = time.monotonic()
        headers = {**JSON_HEADERS, "Content-Length": str(len(LOGIN))}
        sock.sendall(head("POST", "/api/auth/login", headers) + LOGIN[:10])
        status, answer_headers, body = read_answer(sock)  # returns once the server closes
        took = time.monotonic() - started
    assert status == 408
    assert answer_headers["content-type"] == "application/json"
    assert "not complete within 0.5 s" in json.loads(body)["detail"]
    assert answer_headers["x-content-type-options"] == "nosniff"  # the app's headers too
    assert DEADLINE <= took < PATIENCE


def test_a_dripped_body_gets_408_though_every_byte_comes_quickly(auth_server: LiveServer) -> None:
    """The deadline is for the whole body, not between reads: one byte every 50 ms would
    keep a per-read timeout waiting forever."""
    size = 10_000  # 500 s at this pace
    with socket.create_connection(("127.0.0.1", auth_server.port), timeout=PATIENCE) as sock:
        sock.sendall(head("POST", "/api/auth/login", {**JSON_HEADERS, "Content-Length": str(size)}))
        sent = 0
        until = time.monotonic() + PATIENCE
        while not answered(sock) and time.monotonic() < until:
            try:
                sock.sendall(b" ")
            except OSError:  # closed by the server after its answer
                break
            sent += 1
            time.sleep(0.05)
        status, _, body = read_answer(sock)
    assert status == 408, body
    assert sent < size


def test_a_chunked_body_that_never_ends_gets_408(auth_server: LiveServer) -> None:
    headers = {**JSON_HEADERS, "Transfer-Encoding": "chunked"}
    with socket.create_connection(("127.0.0.1", auth_server.port), timeout=PATIENCE) as sock:
        sock.sendall(head("POST", "/api/auth/login", headers) + b'5\r\n{"a":\r\n')
        status, _, _ = read_answer(sock)
    assert status == 408


def test_a_prompt_body_is_answered_as_usual(auth_server: LiveServer) -> None:
    with socket.create_connection(("127.0.0.1", auth_server.port), timeout=PATIENCE) as sock:
        headers = {**JSON_HEADERS, "Content-Length": str(len(LOGIN))}
        sock.sendall(head("POST", "/api/auth/login", headers) + LOGIN)
        status, _, body = read_answer(sock)
    assert status == 401, body  # unknown account: the route ran


def test_a_request_without_a_body_is_not_timed(auth_server: LiveServer) -> None:
    """Headers only, then the client waits past the deadline before reading: no 408."""
    with socket.create_connection(("127.0.0.1", auth_server.port), timeout=PATIENCE) as sock:
        sock.sendall(head("GET", "/health", {"Connection": "close"}))
        status, _, _ = read_answer(sock)
    assert status == 200


def slow_app(answer_seconds: float) -> FastAPI:
    """Routes that take longer than the deadline to answer (the body is read promptly) or
    wait on ``receive`` after the body (for the client to disconnect)."""
    app = FastAPI()

    @app.post("/slow")
    async def slow(request: Request) -> JSONResponse:
        body = await request.body()
        await asyncio.sleep(answer_seconds)
        return JSONResponse({"bytes": len(body)})

    @app.post("/waits-for-disconnect")
    async def waits(request: Request) -> JSONResponse:
        body = await request.body()
        # receive() after the body: http.disconnect, or nothing before the timeout
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(request.receive(), timeout=answer_seconds)
        return JSONResponse({"bytes": len(body)})

    app.add_middleware(BodyDeadline, seconds=DEADLINE)
    return app


@pytest.mark.parametrize("path", ["/slow", "/waits-for-disconnect"])
def test_the_deadline_does_not_bound_the_answer(path: str) -> None:
    payload = b'{"x": 1}'
    headers = {**JSON_HEADERS, "Content-Length": str(len(payload))}
    with (
        live(slow_app(answer_seconds=4 * DEADLINE)) as server,
        socket.create_connection(("127.0.0.1", server.port), timeout=PATIENCE) as sock,
    ):
        sock.sendall(head("POST", path, headers) + payload)
        status, _, body = read_answer(sock)
    assert (status, json.loads(body)) == (200, {"bytes": len(payload)})


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ([], False),
        ([(b"content-length", b"0")], False),
        ([(b"content-length", b"12")], True),
        ([(b"transfer-encoding", b"chunked")], True),
    ],
)
def test_which_requests_have_a_body(headers: list[tuple[bytes, bytes]], expected: bool) -> None:
    assert has_body({"type": "http", "headers": headers}) is expected


def test_the_deadline_is_a_setting_with_a_sane_default(tmp_path: Path) -> None:
    assert Settings(data_dir=tmp_path).body_read_timeout_seconds == 10.0
    with pytest.raises(ValueError, match="greater than 0"):
        Settings(data_dir=tmp_path, body_read_timeout_seconds=0)
