"""The AI service (/api/ai/*) under hostile input: odd Unicode, odd numbers, odd bodies,
clients that hang up, bursts that fill the queue. Bad input is a 4xx naming the field;
nothing is ever a 5xx with internals, and the service recovers by itself."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import numpy.typing as npt
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.main import create_app
from tests.app.conftest import embedded_settings
from tests.app.live_server import live

MODEL = "bundled:all-MiniLM-L6-v2"
DIM = 384


@pytest.fixture(scope="module")
def ai(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = embedded_settings(tmp_path_factory.mktemp("ai"), embedding_model=MODEL)
    with TestClient(create_app(settings, service="ai")) as client:
        yield client


def post_raw(
    client: TestClient, path: str, raw: str | bytes, media: str = "application/json"
) -> Any:
    return client.post(path, content=raw, headers={"Content-Type": media})


@pytest.mark.parametrize(
    "text",
    ["\u200b", "\x00", "\u202e\u2066", " \t\n\u3000", "\ufeff"],
    ids=["zero-width space", "NUL", "bidi controls", "spaces", "BOM"],
)
def test_texts_with_nothing_visible_are_blank(ai: TestClient, text: str) -> None:
    """They used to embed like an empty text (all the same vector, similarity 1.0)."""
    answer = ai.post("/api/ai/embed", json={"texts": ["a real text", text]})
    assert answer.status_code == 422, answer.text
    (problem,) = answer.json()["detail"]
    assert problem["loc"] == ["body", "texts", 1] and "must not be blank" in problem["msg"]


def test_a_lone_surrogate_is_refused_and_not_echoed(ai: TestClient) -> None:
    answer = post_raw(ai, "/api/ai/embed", '{"texts": ["ok \\ud800 ok"]}')
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "texts", 0]
    assert "\\ud800" not in answer.text


@pytest.mark.parametrize(
    "text",
    ["a\x00b", "\U0001f600" * 4000, "\u4e2d" * 4000, "e\u0301" * 2000, "\U0001d518" * 4000],
    ids=["NUL inside", "4000 emoji", "4000 CJK", "4000 with combining", "4000 math letters"],
)
def test_texts_of_many_tokens_are_cut_by_the_tokenizer_fast(ai: TestClient, text: str) -> None:
    """4,000 characters may be far more tokens than the model reads (CJK, emoji); the
    tokenizer cuts them to its window, so such a text costs about what a short one does."""
    started = time.monotonic()
    assert ai.post("/api/ai/embed", json={"texts": ["a short text"]}).status_code == 200
    short = time.monotonic() - started
    started = time.monotonic()
    answer = ai.post("/api/ai/embed", json={"texts": [text]})
    assert answer.status_code == 200, answer.text[:300]
    # Against a short text embedded just before (a loaded machine slows both alike); the
    # floor keeps a very quick short call from making the bound a coin toss.
    took = time.monotonic() - started
    assert took < max(2.0, 10 * short), (took, short)
    (vector,) = answer.json()["embeddings"]
    assert len(vector) == DIM and abs(float(np.linalg.norm(vector)) - 1.0) < 1e-4


def unit(scale: float) -> list[float]:
    vector = [0.0] * DIM
    vector[0], vector[1] = 3.0 * scale, 4.0 * scale
    return vector


@pytest.mark.parametrize("scale", [1e300, 1e-320, 1.0], ids=["huge", "subnormal", "plain"])
def test_vectors_of_extreme_but_finite_values_have_a_cosine(ai: TestClient, scale: float) -> None:
    """Their norm overflowed to infinity (or underflowed to 0): they were refused as
    'not finite or all zeros'."""
    other = [0.0] * DIM
    other[0] = 1.0
    answer = ai.post("/api/ai/similarity", json={"a": unit(scale), "b": other})
    assert answer.status_code == 200, answer.text[:300]
    assert answer.json() == {"similarity": 0.6}


def test_integers_are_numbers_too(ai: TestClient) -> None:
    ones = [1] * DIM
    assert ai.post("/api/ai/similarity", json={"a": ones, "b": ones}).json() == {"similarity": 1.0}


@pytest.mark.parametrize(
    "raw",
    [
        '{"a": [1e999' + ", 0" * (DIM - 1) + '], "b": "x"}',
        '{"a": [Infinity' + ", 0" * (DIM - 1) + '], "b": [1' + ", 0" * (DIM - 1) + "]}",
        '{"a": [-NaN], "b": [1]}',
        '{"a": [true' + ", 0" * (DIM - 1) + '], "b": [1' + ", 0" * (DIM - 1) + "]}",
        '{"a": ["1"' + ", 0" * (DIM - 1) + '], "b": [1' + ", 0" * (DIM - 1) + "]}",
        '{"a": [[1]' + ", 0" * (DIM - 1) + '], "b": [1' + ", 0" * (DIM - 1) + "]}",
        '{"a": null, "b": null}',
        '{"a": {"0": 1}, "b": "x"}',
        '{"a": 5, "b": 6}',
        '{"a": "x", "b": "y", "c": "z"}',
        '{"a": "x"}',
        '{"a": [' + "1," * 4096 + '1], "b": "x"}',
        '{"a": "x", "b": "y", "a": [1]}',
        '{"a": [123456789012345678901234567890], "b": [1]}',
        "[" * 10_000 + "]" * 10_000,
        '{"texts": ["x"]}',
        "",
        "null",
        '"a string"',
    ],
)
def test_odd_similarity_bodies_are_422(ai: TestClient, raw: str) -> None:
    answer = post_raw(ai, "/api/ai/similarity", raw)
    assert answer.status_code == 422, answer.text[:300]
    assert "Traceback" not in answer.text and 'File "' not in answer.text


@pytest.mark.parametrize(
    ("media", "status"),
    [
        ("text/plain", 415),
        ("application/x-www-form-urlencoded", 415),
        ("multipart/form-data; boundary=x", 415),
        ("", 415),
        ("application/json; charset=utf-16", 200),  # the body is read as UTF-8 regardless
        ("application/problem+json", 200),
    ],
)
def test_content_types(ai: TestClient, media: str, status: int) -> None:
    answer = post_raw(ai, "/api/ai/embed", b'{"texts": ["solar"]}', media)
    assert answer.status_code == status, answer.text[:300]


def test_a_body_over_the_limit_is_413_before_it_is_parsed(ai: TestClient) -> None:
    """64 texts of 4,000 CJK characters are 768 KB of UTF-8: within the schema's counts,
    beyond the body limit. The answer says which limit."""
    answer = ai.post("/api/ai/embed", json={"texts": ["\u4e2d" * 4000] * 64})
    assert answer.status_code == 413
    assert "larger than" in answer.json()["detail"]


def test_a_failing_model_is_503_without_internals(tmp_path: Path) -> None:
    settings = embedded_settings(tmp_path, embedding_model=MODEL)
    app = create_app(settings, service="ai")
    model = app.state.embed_batcher.encode

    def fragile(texts: list[str]) -> npt.NDArray[np.float32]:
        if "poison" in texts:
            raise RuntimeError("secret internal detail /opt/model/weights.bin")
        return model(texts)

    app.state.embed_batcher.encode = fragile
    with TestClient(app) as client:
        answer = client.post("/api/ai/embed", json={"texts": ["poison"]})
        assert answer.status_code == 503
        assert "secret" not in answer.text and "weights" not in answer.text
        assert client.post("/api/ai/embed", json={"texts": ["fine"]}).status_code == 200


class Gate:
    """Holds the batcher's worker inside encode until ``open`` is set; records calls."""

    def __init__(self, app: FastAPI) -> None:
        self.encode = app.state.embed_batcher.encode
        self.calls: list[list[str]] = []
        self.busy = threading.Event()
        self.open = threading.Event()
        app.state.embed_batcher.encode = self

    def __call__(self, texts: list[str]) -> npt.NDArray[np.float32]:
        self.calls.append(list(texts))
        self.busy.set()
        self.open.wait(30)
        return self.encode(texts)


def wait_for(condition: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def send_and_hang_up(port: int, texts: list[str]) -> socket.socket:
    body = json.dumps({"texts": texts}).encode()
    request = (
        f"POST /api/ai/embed HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(request)
    return sock


def test_a_client_that_hangs_up_leaves_no_work_in_the_queue(tmp_path: Path) -> None:
    settings = embedded_settings(tmp_path, embedding_model=MODEL, ai_batch_texts=1)
    app = create_app(settings, service="ai")
    gate = Gate(app)
    batcher = app.state.embed_batcher
    with live(app) as server:
        holder = threading.Thread(
            target=httpx.post,
            args=(f"{server.url}/api/ai/embed",),
            kwargs={"json": {"texts": ["holds the worker"]}, "timeout": 30},
        )
        holder.start()
        assert gate.busy.wait(30)
        sock = send_and_hang_up(server.port, ["abandoned"])
        wait_for(lambda: batcher.queued_texts == 1)
        sock.close()
        time.sleep(0.3)  # the server notices the hang-up and cancels the request
        gate.open.set()
        holder.join(30)
        wait_for(lambda: batcher.queued_texts == 0)
        after = httpx.post(f"{server.url}/api/ai/embed", json={"texts": ["after"]}, timeout=30)
    assert after.status_code == 200
    assert ["abandoned"] not in gate.calls
    assert gate.calls == [["holds the worker"], ["after"]]


def test_a_burst_gets_fast_429s_and_the_service_recovers(tmp_path: Path) -> None:
    """40 clients at once against a queue of 4 texts while the worker is held: the ones
    that do not fit (one caller's share is the queue less one batch) get 429 with
    Retry-After at once; when the worker goes on, every
    queued one is answered, the queue is empty, no thread is left behind, and a new
    request is answered."""
    settings = embedded_settings(
        tmp_path, embedding_model=MODEL, ai_max_texts=2, ai_batch_texts=2, ai_queue_texts=4
    )
    app = create_app(settings, service="ai")
    gate = Gate(app)
    batcher = app.state.embed_batcher
    answers: list[tuple[int, float]] = []  # status, when it was answered
    lock = threading.Lock()

    def post(url: str, index: int) -> None:
        reply = httpx.post(url, json={"texts": [f"burst {index}", "x"]}, timeout=60)
        with lock:
            answers.append((reply.status_code, time.monotonic()))
        if reply.status_code == 429:
            assert int(reply.headers["Retry-After"]) >= 1

    with live(app) as server:
        url = f"{server.url}/api/ai/embed"
        first = threading.Thread(target=post, args=(url, -1))
        first.start()
        assert gate.busy.wait(30)
        threads_before = threading.active_count()
        clients = [threading.Thread(target=post, args=(url, i)) for i in range(40)]
        for client in clients:
            client.start()
        # one caller (every client here is 127.0.0.1) may fill the queue less one batch
        # (the batcher keeps room for another caller): 2 of its 4 texts, one request
        share = batcher.max_per_caller
        assert share == 2
        wait_for(lambda: sum(1 for status, _ in answers if status == 429) >= 39, 30)
        assert batcher.queued_texts == share
        opened = time.monotonic()
        gate.open.set()
        for client in [first, *clients]:
            client.join(60)
        assert batcher.queued_texts == 0
        again = httpx.post(url, json={"texts": ["recovered"]}, timeout=30)
        wait_for(lambda: threading.active_count() <= threads_before - 1, 10)
    statuses = sorted(status for status, _ in answers)
    assert statuses == [200] * 2 + [429] * 39  # the held one and the one queued
    # At once: every 429 came while the worker was still held (not after waiting for it);
    # measured against the gate, not the clock, so a loaded machine cannot fail it.
    assert max(when for status, when in answers if status == 429) < opened
    assert again.status_code == 200
