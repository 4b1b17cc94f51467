"""The AI service (/api/ai/*) with the bundled MiniLM model: embeddings, similarity, limits,
and 429 when its queue is full."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import numpy.typing as npt
import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.services.embeddings import get_embedder
from tests.app.conftest import embedded_settings
from tests.app.live_server import live

MODEL = "bundled:all-MiniLM-L6-v2"
SOLAR = "Installs solar panels on rooftops"
SUN = "Fits photovoltaic modules on roofs"
BAKER = "Bakes bread and pastries at dawn"


@pytest.fixture(scope="module")
def ai(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = embedded_settings(tmp_path_factory.mktemp("ai"), embedding_model=MODEL)
    with TestClient(create_app(settings, service="ai")) as client:
        yield client


def test_embed_returns_the_models_normalised_vectors(ai: TestClient) -> None:
    answer = ai.post("/api/ai/embed", json={"texts": [SOLAR, BAKER]})
    assert answer.status_code == 200
    body = answer.json()
    assert (body["model"], body["dim"]) == (MODEL, 384)
    vectors = np.array(body["embeddings"], dtype=np.float32)
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    local = get_embedder(MODEL).encode([SOLAR, BAKER])
    assert np.allclose(vectors, local, atol=1e-5)


def test_model_reports_name_and_dimension(ai: TestClient) -> None:
    assert ai.get("/api/embeddings/model").json() == {"model": MODEL, "dim": 384}


def test_limits_publish_the_settings_the_embed_route_enforces(tmp_path: Path) -> None:
    settings = embedded_settings(
        tmp_path, embedding_model=MODEL, ai_max_texts=3, ai_max_text_chars=50, max_body_bytes=4096
    )
    with TestClient(create_app(settings, service="ai")) as client:
        limits = client.get("/api/ai/limits").json()
        assert limits == {"max_texts": 3, "max_text_chars": 50, "max_body_bytes": 4096}
        assert client.post("/api/ai/embed", json={"texts": ["x"] * 3}).status_code == 200
        assert client.post("/api/ai/embed", json={"texts": ["x"] * 4}).status_code == 422
        assert client.post("/api/ai/embed", json={"texts": ["y" * 50]}).status_code == 200
        assert client.post("/api/ai/embed", json={"texts": ["y" * 51]}).status_code == 422


def test_similarity_of_two_texts_and_of_their_two_embeddings_agree(ai: TestClient) -> None:
    vectors = ai.post("/api/ai/embed", json={"texts": [SOLAR, SUN, BAKER]}).json()["embeddings"]
    by_vectors = ai.post("/api/ai/similarity", json={"a": vectors[0], "b": vectors[1]})
    by_texts = ai.post("/api/ai/similarity", json={"a": SOLAR, "b": SUN})
    unrelated = ai.post("/api/ai/similarity", json={"a": SOLAR, "b": BAKER})
    assert by_vectors.status_code == by_texts.status_code == 200
    close = by_texts.json()["similarity"]
    assert by_vectors.json()["similarity"] == pytest.approx(close, abs=1e-4)
    assert close > unrelated.json()["similarity"] + 0.2


def test_similarity_of_unnormalised_vectors_is_their_cosine(ai: TestClient) -> None:
    a = [0.0] * 384
    b = [0.0] * 384
    a[0], a[1] = 3.0, 4.0
    b[0] = 10.0
    assert ai.post("/api/ai/similarity", json={"a": a, "b": b}).json() == {"similarity": 0.6}


def fields(answer: httpx.Response) -> list[tuple[list[object], str]]:
    assert answer.status_code == 422, answer.text
    return [(d["loc"], d["msg"]) for d in answer.json()["detail"]]


@pytest.mark.parametrize(
    ("body", "loc", "says"),
    [
        ({"texts": ["x"] * 65}, ["body", "texts"], "at most 64"),
        ({"texts": [""]}, ["body", "texts", 0], "at least 1 character"),
        ({"texts": []}, ["body", "texts"], "at least 1"),
        ({"texts": ["fine", "  "]}, ["body", "texts", 1], "blank"),
        ({"texts": ["y" * 4001]}, ["body", "texts", 0], "at most 4000"),
        ({"texts": [7]}, ["body", "texts", 0], "string"),
        ({"texts": "one text"}, ["body", "texts"], "list"),
    ],
)
def test_embed_refuses_bad_batches_naming_the_field(
    ai: TestClient, body: dict[str, object], loc: list[object], says: str
) -> None:
    problems = fields(ai.post("/api/ai/embed", json=body))
    assert problems[0][0] == loc
    assert says in problems[0][1]


def test_similarity_refuses_mixed_kinds_wrong_dimensions_and_zero_vectors(
    ai: TestClient,
) -> None:
    unit = [1.0] + [0.0] * 383
    mixed = fields(ai.post("/api/ai/similarity", json={"a": SOLAR, "b": unit}))
    assert mixed == [(["body", "b"], mixed[0][1])] and "not one of each" in mixed[0][1]
    short = fields(ai.post("/api/ai/similarity", json={"a": unit, "b": [1.0, 0.0]}))
    assert short[0][0] == ["body", "b"] and "2 values" in short[0][1] and "384" in short[0][1]
    zero = fields(ai.post("/api/ai/similarity", json={"a": [0.0] * 384, "b": unit}))
    assert zero[0][0] == ["body", "a"] and "not all zeros" in zero[0][1]
    blank = fields(ai.post("/api/ai/similarity", json={"a": " ", "b": SOLAR}))
    assert blank[0][0] == ["body", "a"]


def test_non_finite_values_are_refused_before_the_route(ai: TestClient) -> None:
    raw = '{"a": [NaN' + ", 0.0" * 383 + '], "b": [1.0' + ", 0.0" * 383 + "]}"
    answer = ai.post(
        "/api/ai/similarity", content=raw, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 422


class Gate:
    """Wraps the batcher's encode so the test decides when the worker may go on."""

    def __init__(self, encode: object) -> None:
        self.encode = encode
        self.busy = threading.Event()
        self.open = threading.Event()

    def __call__(self, texts: list[str]) -> npt.NDArray[np.float32]:
        self.busy.set()
        self.open.wait(30)
        return self.encode(texts)  # type: ignore[operator, no-any-return]


def test_a_full_queue_answers_429_with_retry_after_at_once(tmp_path: Path) -> None:
    settings = embedded_settings(
        tmp_path, embedding_model=MODEL, ai_max_texts=2, ai_batch_texts=2, ai_queue_texts=2
    )
    app = create_app(settings, service="ai")
    gate = Gate(app.state.embed_batcher.encode)
    app.state.embed_batcher.encode = gate
    answers: dict[str, httpx.Response] = {}

    def post(name: str, server_url: str, texts: list[str]) -> None:
        answers[name] = httpx.post(f"{server_url}/api/ai/embed", json={"texts": texts}, timeout=30)

    with live(app) as server:
        first = threading.Thread(target=post, args=("first", server.url, ["being encoded"]))
        first.start()
        assert gate.busy.wait(30)  # the worker holds the first request
        queued = threading.Thread(target=post, args=("queued", server.url, ["a", "b"]))
        queued.start()
        while app.state.embed_batcher.queued_texts < 2:
            threading.Event().wait(0.01)
        refused = httpx.post(f"{server.url}/api/ai/embed", json={"texts": ["c"]}, timeout=5)
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) >= 1
        assert "queue is full" in refused.json()["detail"]
        gate.open.set()
        first.join(30)
        queued.join(30)
    assert answers["first"].status_code == 200
    assert len(answers["queued"].json()["embeddings"]) == 2


def _request(headers: dict[str, str], client: tuple[str, int] | None = ("10.0.3.7", 5000)) -> Any:
    from starlette.requests import Request

    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    return Request({"type": "http", "headers": raw, "client": client, "method": "POST"})


def test_the_caller_is_the_lattice_principal_else_the_peer() -> None:
    from app.api.routes.ai import caller_of, is_question

    role = "arn:aws:sts::123456789012:assumed-role/gm-worker-instance/i-0abc"
    lattice = {"x-amzn-lattice-identity": f"Principal={role}; SessionName=i-0abc"}
    assert caller_of(_request(lattice)) == f"Principal={role}"
    assert caller_of(_request({})) == "10.0.3.7"
    assert caller_of(_request({}, client=None)) == ""
    assert is_question(_request({"X-GM-Embed": "question"}))
    assert not is_question(_request({"X-GM-Embed": "bulk"}))
