"""A hostile or broken AI service: the client must give up with AiServiceUnavailable (the
routes answer 503) within its timeout, read a bounded amount, and never raise anything
else (a 500 at the matching service).

The AI service here is a raw socket server answering each request with scripted bytes
(``tests/app/scripted_server.py``).
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.services.ai_client import MAX_ANSWER_BYTES, AiClient, AiServiceUnavailable
from tests.app.conftest import embedded_settings
from tests.app.scripted_server import Script, ScriptedServer, answer, drip, head

MODEL = "bundled:all-MiniLM-L6-v2"
TIMEOUT = 0.5  # the client's timeout in these tests
# "Quickly" means within the client's timeout rather than as long as the peer likes (the
# drips below would last 120 s or more): ten times the timeout proves that and leaves room
# for a loaded machine.
QUICKLY = 10 * TIMEOUT


def endless_body(sock: socket.socket) -> None:
    """A chunked body that never ends, 64 KB at a time, as fast as the client reads."""
    sock.sendall(head(Transfer_Encoding="chunked"))
    chunk = b"%x\r\n%s\r\n" % (65536, b" " * 65536)
    for _ in range(10_000):
        sock.sendall(chunk)


def vectors_answer(dim: object, rows: object) -> Script:
    return answer(json.dumps({"model": MODEL, "dim": dim, "embeddings": rows}).encode())


LIMITS = b'{"max_texts": 64, "max_text_chars": 4000, "max_body_bytes": 262144}'


@pytest.fixture
def serve() -> Iterator[Callable[[Script], ScriptedServer]]:
    """A scripted AI service: its limits are in order (GET /api/ai/limits, asked at first
    contact), every other request gets the script."""
    servers: list[ScriptedServer] = []

    def start(script: Script) -> ScriptedServer:
        # Connection: close, so the next request opens its own connection (the scripted
        # server hangs up after each answer).
        limits = answer(LIMITS, Connection="close")
        server = ScriptedServer(script, routes={b"GET /api/ai/limits": limits})
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def refused_within(client: AiClient, seconds: float) -> str:
    started = time.monotonic()
    with pytest.raises(AiServiceUnavailable) as caught:
        client.encode_one("wind turbine technician")
    assert time.monotonic() - started < seconds
    return str(caught.value)


DIM = 4
UNIT = [1.0, 0.0, 0.0, 0.0]


@pytest.mark.parametrize(
    ("script", "says"),
    [
        # Headers one byte every 0.2 s: each read is quick, the call is not.
        (drip(b"HTTP/1.1 200 OK\r\n", b"X", 0.2), "did not answer in time"),
        (drip(head(Content_Length="1000") + b"{", b" ", 0.2), "did not answer in time"),
        (endless_body, f"more than {MAX_ANSWER_BYTES} bytes"),
        (answer(b"not json at all"), "not JSON"),
        (answer(b"[" * 100_000 + b"]" * 100_000), "not JSON"),  # too deep for json.loads
        (answer(b'["a list"]'), "not a JSON object"),
        (answer(b"\xff\xfe garbage"), "not JSON"),
        (answer(b"{}", Content_Encoding="gzip"), "encoded as 'gzip'"),
        (vectors_answer(True, [[1.0]]), "no model name"),  # a bool is not a dimension
        (vectors_answer(10**12, [UNIT]), "no model name"),
        (vectors_answer(DIM, [UNIT[:3]]), "shape"),
        (vectors_answer(DIM, [[1.0, 0.0, 0.0, "x"]]), "not a list of vectors"),
        (vectors_answer(DIM, [[0.0] * DIM]), "not unit vectors"),
        (vectors_answer(DIM, [[3.0, 4.0, 0.0, 0.0]]), "not unit vectors"),
        (vectors_answer(DIM, [[1e39, 0.0, 0.0, 0.0]]), "shape"),  # float32: infinite
        (vectors_answer(DIM, {"0": UNIT}), "not a list of vectors"),
        (answer(b'{"model": "other-model", "dim": 4}'), "other-model"),
        (answer(b"", status="413 Too Large"), "HTTP 413"),
        (answer(b"<html>oops</html>", status="502 Bad Gateway"), "HTTP 502"),
        (lambda sock: sock.sendall(b"HELLO THERE\r\n\r\n"), "unreachable"),  # not HTTP
        (lambda sock: None, "unreachable"),  # hangs up without a word
        (lambda sock: sock.sendall(head(X_Big="a" * 200_000)), "unreachable"),  # huge header
        (answer(b"", status="302 Found", Location="http://169.254.169.254/"), "HTTP 302"),
    ],
)
def test_a_broken_ai_service_is_refused_quickly(
    serve: Callable[[Script], ScriptedServer], script: Script, says: str
) -> None:
    server = serve(script)
    client = AiClient(server.url, model_name=MODEL, timeout=TIMEOUT, cool_down=60)
    try:
        assert says in refused_within(client, QUICKLY)
    finally:
        client.close()


@pytest.mark.parametrize(
    ("script", "says"),
    [
        (drip(b"HTTP/1.1 200 OK\r\n", b"X", 0.2), "did not answer in time"),
        (endless_body, f"more than {MAX_ANSWER_BYTES} bytes"),
        (answer(b"not json at all"), "not JSON"),
        (answer(b"[64, 4000, 262144]"), "not a JSON object"),
        (answer(b'{"max_texts": 0, "max_text_chars": 1, "max_body_bytes": 1}'), "limits"),
        (answer(b'{"max_texts": 1.5, "max_text_chars": 1, "max_body_bytes": 1}'), "limits"),
        (answer(b'{"max_texts": true, "max_text_chars": 1, "max_body_bytes": 1}'), "limits"),
        (answer(b"<html>oops</html>", status="502 Bad Gateway"), "HTTP 502"),
        (lambda sock: None, "unreachable"),
    ],
)
def test_broken_limits_are_refused_quickly_and_nothing_is_embedded(
    script: Script, says: str
) -> None:
    """The first contact (GET /api/ai/limits) is held to the same bounds as every call."""
    embedded = ScriptedServer(answer(b"{}"), routes={b"GET /api/ai/limits": script})
    client = AiClient(embedded.url, model_name=MODEL, timeout=TIMEOUT, cool_down=60)
    try:
        assert says in refused_within(client, QUICKLY)
    finally:
        client.close()
        embedded.close()


def test_a_long_model_name_is_not_echoed_in_full(
    serve: Callable[[Script], ScriptedServer],
) -> None:
    name = "m" * 1_000_000
    server = serve(answer(json.dumps({"model": name, "dim": 4}).encode()))
    client = AiClient(server.url, model_name=MODEL, timeout=TIMEOUT)
    try:
        message = refused_within(client, QUICKLY)
        assert "m" * 100 in message and len(message) < 400
    finally:
        client.close()


def test_a_huge_declared_body_is_not_read(serve: Callable[[Script], ScriptedServer]) -> None:
    server = serve(lambda sock: sock.sendall(head(Content_Length=str(10**12)) + b"{"))
    client = AiClient(server.url, model_name=MODEL, timeout=TIMEOUT)
    try:
        assert "a body of 1000000000000 bytes" in refused_within(client, QUICKLY)
    finally:
        client.close()


def test_a_busy_ai_service_cannot_ask_for_a_day_of_retry_after(
    serve: Callable[[Script], ScriptedServer],
) -> None:
    server = serve(answer(b'{"detail": "busy"}', status="429 Busy", Retry_After="86400"))
    client = AiClient(server.url, model_name=MODEL, timeout=TIMEOUT)
    try:
        with pytest.raises(AiServiceUnavailable) as caught:
            client.encode_one("x")
        assert caught.value.retry_after == 60
    finally:
        client.close()


def test_match_answers_503_fast_and_never_500_against_a_dripping_ai_service(
    serve: Callable[[Script], ScriptedServer], tmp_path: Path
) -> None:
    """The matching service with a drip-feeding AI service: 503 within its timeout (plus
    margin), then at once while the breaker is open; the question is never a 500."""
    server = serve(drip(head(Content_Length="100000") + b'{"model": ', b" ", 0.1))
    settings = embedded_settings(
        tmp_path,
        embedding_model=MODEL,
        ai_service_url=server.url,
        ai_service_timeout_seconds=TIMEOUT,
        demo_data=False,
    )
    with TestClient(create_app(settings, service="matching")) as client:
        for attempt in range(3):
            contacts = server.connections
            started = time.monotonic()
            reply = client.post("/api/match", json={"text": "solar installer", "limit": 3})
            took = time.monotonic() - started
            assert reply.status_code == 503, reply.text
            assert "AI service" in reply.json()["detail"]
            if attempt == 0:
                assert server.connections > contacts and took < QUICKLY, took  # not the drip
            else:  # at once: the open breaker does not even call the AI service
                assert server.connections == contacts, attempt
