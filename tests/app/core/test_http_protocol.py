"""``gm-infra app serve``'s protocol: headers over 16 KB are refused (431), and a client that
sends its headers too slowly (slowloris) is disconnected; normal keep-alive requests and
slow bodies are not its business."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from fastapi import FastAPI

from app.core.http_protocol import MAX_HEADER_BYTES, BoundedH11Protocol
from tests.app.mariadb_pair import free_port


class QuickDeadline(BoundedH11Protocol):
    header_read_seconds = 1.0


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    app = FastAPI()

    @app.get("/ping")
    def ping() -> dict[str, str]:
        return {"ok": "yes"}

    chosen = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=chosen, log_level="warning", http=QuickDeadline,
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
    )  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    yield chosen
    server.should_exit = True
    thread.join(10)


def read_all(sock: socket.socket) -> bytes:
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except ConnectionResetError:
        pass
    return data


def test_a_normal_request_and_keep_alive_work(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        for _ in range(2):
            sock.sendall(b"GET /ping HTTP/1.1\r\nHost: x\r\n\r\n")
            assert sock.recv(65536).startswith(b"HTTP/1.1 200")
            time.sleep(0.6)  # idle between requests, within the deadline


def test_headers_over_16_kb_are_refused(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        big = b"X-Big: " + b"a" * (MAX_HEADER_BYTES + 1024) + b"\r\n"
        sock.sendall(b"GET /ping HTTP/1.1\r\nHost: x\r\n" + big + b"\r\n")
        answer = read_all(sock)
    assert answer.startswith(b"HTTP/1.1 431"), answer[:100]


def test_headers_dripped_too_slowly_lose_the_connection(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"GET /ping HTTP/1.1\r\nHost: x\r\n")
        started = time.monotonic()
        closed = False
        while time.monotonic() - started < 5:
            try:
                sock.sendall(b"X-Drip: 1\r\n")  # a header line every 0.2 s, never the end
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            sock.settimeout(0.2)
            try:
                if sock.recv(1024) == b"":
                    closed = True
                    break
            except TimeoutError:
                pass
        took = time.monotonic() - started
    assert closed and 0.8 < took < 3.0, took
