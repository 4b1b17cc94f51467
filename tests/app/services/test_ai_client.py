"""Services calling the AI service: matching and new jobs get vectors from a real AI
service on a loopback port; when it is down, hung or serves another model, /api/match
answers 503 with the reason within 2 s and the rest keeps working."""

from __future__ import annotations

import json
import logging
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.services.ai_client import AiClient, AiServiceUnavailable, chunks
from app.services.embeddings import get_embedder
from app.services.text_encoders import AiServiceConfigError, ai_client
from tests.app.conftest import METRICS_TOKEN, Api, embedded_settings
from tests.app.live_server import LiveServer, live
from tests.app.mariadb_pair import free_port
from tests.app.waiting import wait_embedded

MODEL = "bundled:all-MiniLM-L6-v2"
WIND = "How can I get a job repairing wind turbines?"


@pytest.fixture(scope="module")
def ai_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    settings = embedded_settings(tmp_path_factory.mktemp("ai"), embedding_model=MODEL)
    with live(create_app(settings, service="ai")) as server:
        yield server


@pytest.fixture(scope="module")
def small_ai_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """An AI service whose limits are far below its callers' defaults (64 texts, 4,000
    characters, 256 KB bodies)."""
    settings = embedded_settings(
        tmp_path_factory.mktemp("small-ai"),
        embedding_model=MODEL,
        ai_max_texts=3,
        ai_max_text_chars=60,
        max_body_bytes=2048,
    )
    with live(create_app(settings, service="ai")) as server:
        yield server


def embed_requests(server: LiveServer, status: str = "200") -> float:
    """How many /api/ai/embed requests the AI service has answered with ``status``."""
    registry = server.app.state.gm.metrics.registry
    value = registry.get_sample_value(
        "gm_http_requests_total", {"method": "POST", "route": "/api/ai/embed", "status": status}
    )
    return value or 0.0


@pytest.fixture(scope="module")
def matching(
    ai_server: LiveServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    settings = embedded_settings(
        tmp_path_factory.mktemp("matching"), embedding_model=MODEL, ai_service_url=ai_server.url
    )
    with TestClient(create_app(settings, service="matching")) as client:
        yield client


def post_tidal_job_and_match(
    client: TestClient, employer_name: str, description: str
) -> tuple[int, list[int]]:
    """A new employer posts a tidal job (201); the ids /api/match (200) finds for
    "tidal turbines"."""
    employer, _ = Api(client).login_as(
        "employer", employer_name=f"{employer_name} {uuid.uuid4().hex[:6]}"
    )
    job = {
        "title": "Tidal Energy Technician",
        "description": description,
        "sdg_tag": 7,
        "salary_min": 40000,
        "salary_max": 52000,
        "location": "Orkney",
    }
    created = employer.post("/api/jobs", json=job)
    assert created.status_code == 201, created.text
    wait_embedded(client.app.state.gm, [created.json()["id"]])  # type: ignore[attr-defined]
    results = client.post("/api/match", json={"text": "tidal turbines", "limit": 3})
    assert results.status_code == 200, results.text
    return created.json()["id"], [r["job"]["id"] for r in results.json()["results"]]


def test_match_embeds_the_question_with_the_ai_service(
    matching: TestClient, ai_server: LiveServer
) -> None:
    before = embed_requests(ai_server)
    answer = matching.post("/api/match", json={"text": WIND, "limit": 5})
    assert answer.status_code == 200
    titles = [r["job"]["title"].lower() for r in answer.json()["results"]]
    assert len(titles) == 5 and "wind" in titles[0], titles
    assert embed_requests(ai_server) >= before + 1  # (the start-up warm-up may add one)
    assert matching.app.state.gm.embedder is matching.app.state.gm.ai  # type: ignore[attr-defined]


@pytest.mark.parametrize("text", ["\u0301\u0301", "\u4e2d" * 5000, "a\n\tb"])
def test_every_question_match_accepts_the_ai_service_accepts_too(
    matching: TestClient, text: str
) -> None:
    """A question valid at /api/match must not become a 503 because the AI service
    refuses it (combining marks only, longer than the AI service's 4,000 characters)."""
    answer = matching.post("/api/match", json={"text": text, "limit": 1})
    assert answer.status_code == 200, answer.text


def test_the_client_gives_the_same_vectors_as_the_model_in_process(ai_server: LiveServer) -> None:
    client = AiClient(ai_server.url, model_name=MODEL)
    texts = [f"green job number {i}" for i in range(70)]  # two requests
    remote = client.encode(texts)
    assert remote.shape == (70, 384) and client.dim == 384
    assert np.allclose(remote, get_embedder(MODEL).encode(texts), atol=1e-5)
    client.close()


def body_bytes(texts: list[str]) -> int:
    """The size of the body httpx sends for ``{"texts": texts}``."""
    request = httpx.Request("POST", "http://ai/api/ai/embed", json={"texts": texts})
    return len(request.read())


def test_requests_are_split_by_count_and_body_size() -> None:
    assert [len(run) for run in chunks(["x"] * 130, 64, 256 * 1024)] == [64, 64, 2]
    assert [len(run) for run in chunks(["x"] * 7, 3, 256 * 1024)] == [3, 3, 1]
    # Control characters are escaped (\u0001: 6 bytes each), "é" is 2 bytes in UTF-8.
    texts = ["a" * 900, "\x01" * 150, "é" * 450, "b" * 2000, "d", "\n" * 10]
    runs = chunks(texts, 64, 2048)
    assert [text for run in runs for text in run] == texts
    assert [len(run) for run in runs] == [2, 1, 3]
    assert all(body_bytes(run) <= 2048 for run in runs if len(run) > 1)
    assert body_bytes(texts[:3]) > 2048  # the split was needed


def test_a_new_job_gets_its_vector_through_the_ai_service(
    ai_server: LiveServer, tmp_path: Path
) -> None:
    settings = embedded_settings(
        tmp_path, embedding_model=MODEL, ai_service_url=ai_server.url, embed_mode="inline"
    )
    with TestClient(create_app(settings)) as client:
        before = embed_requests(ai_server)
        job_id, matched = post_tidal_job_and_match(
            client, "Tide Co", "Maintain tidal stream turbines offshore."
        )
        assert embed_requests(ai_server) >= before + 1
        assert job_id in matched


def test_bulk_embedding_keeps_within_an_ai_service_with_smaller_limits(
    small_ai_server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    """The client is configured for 64 texts of 4,000 characters; the AI service takes 3
    of 60 in 2 KB bodies: every request fits, none is refused, and the vectors are those
    of the texts' first 60 characters."""
    client = AiClient(small_ai_server.url, model_name=MODEL)  # 64 and 4,000 by default
    texts = [f"wind turbine technician number {i}, " * 8 for i in range(10)]
    refused = embed_requests(small_ai_server, "422") + embed_requests(small_ai_server, "413")
    before = embed_requests(small_ai_server)
    with caplog.at_level(logging.WARNING, logger="app.ai_client"):
        vectors = client.encode(texts)
        client.encode(texts[:2])
        client.encode_one("a question longer than sixty characters about offshore wind farms")
    assert vectors.shape == (10, 384)
    cut = [text[:60] for text in texts]
    assert np.allclose(vectors, get_embedder(MODEL).encode(cut), atol=1e-5)
    assert embed_requests(small_ai_server) >= before + 4 + 1 + 1  # ceil(10 / 3), then 2, 1
    assert embed_requests(small_ai_server, "422") + embed_requests(small_ai_server, "413") == (
        refused
    )
    warnings = [r.getMessage() for r in caplog.records if "exceed the AI service" in r.getMessage()]
    assert len(warnings) == 1, warnings  # at first contact only
    assert "AI_MAX_TEXTS=64" in warnings[0] and "(3 and 60" in warnings[0]
    client.close()


def test_new_jobs_are_embedded_through_an_ai_service_with_smaller_limits(
    small_ai_server: LiveServer, tmp_path: Path
) -> None:
    """The demo data (34 jobs, the careers) is embedded at start-up and a new job on
    posting, through an AI service that takes 3 texts of 60 characters per request."""
    refused = embed_requests(small_ai_server, "422") + embed_requests(small_ai_server, "413")
    settings = embedded_settings(
        tmp_path, embedding_model=MODEL, ai_service_url=small_ai_server.url, embed_mode="inline"
    )
    with TestClient(create_app(settings)) as client:
        job_id, matched = post_tidal_job_and_match(
            client, "Reef Co", "Maintain tidal stream turbines offshore. " * 20
        )
        assert job_id in matched
    assert embed_requests(small_ai_server, "422") + embed_requests(small_ai_server, "413") == (
        refused
    )


def json_answer(status: int, body: object) -> httpx.Response:
    """An answer streamed as from the network (the client reads it raw, capped)."""
    return httpx.Response(status, stream=httpx.ByteStream(json.dumps(body).encode()))


class FakeAiService:
    """An AI service that answers ``limits`` to GET /api/ai/limits and embeds anything
    (unit vectors of dimension 2), recording the embed requests' texts."""

    def __init__(self, status: int, limits: object) -> None:
        self.status = status
        self.limits = limits
        self.batches: list[list[str]] = []
        self.kinds: list[str] = []  # each embed request's X-GM-Embed ("" when not sent)
        self.transport = httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/ai/limits":
            return json_answer(self.status, self.limits)
        texts = json.loads(request.content)["texts"]
        self.batches.append(texts)
        self.kinds.append(request.headers.get("x-gm-embed", ""))
        vectors = [[1.0, 0.0]] * len(texts)
        return json_answer(200, {"model": MODEL, "dim": 2, "embeddings": vectors})


def test_an_ai_service_without_published_limits_gets_the_former_defaults(
    caplog: pytest.LogCaptureFixture,
) -> None:
    service = FakeAiService(404, {"detail": "Not Found"})
    client = AiClient("http://ai", model_name=MODEL, transport=service.transport)
    with caplog.at_level(logging.WARNING, logger="app.ai_client"):
        assert client.encode(["x" * 5000] * 70).shape == (70, 2)
    assert [len(batch) for batch in service.batches] == [64, 6]
    assert {len(text) for batch in service.batches for text in batch} == {4000}
    assert "does not publish its limits" in caplog.text
    assert client.breaker.state == "closed"


def test_a_question_is_marked_so_the_ai_service_serves_it_before_bulk_work() -> None:
    limits = {"max_texts": 64, "max_text_chars": 4000, "max_body_bytes": 65536}
    service = FakeAiService(200, limits)
    client = AiClient("http://ai", model_name=MODEL, transport=service.transport)
    client.encode(["a job to re-embed", "another"])
    client.encode_one("what should I do with my life")
    assert service.kinds == ["", "question"]


@pytest.mark.parametrize(
    "limits",
    [
        {"max_texts": 0, "max_text_chars": 10, "max_body_bytes": 2048},
        {"max_texts": "3", "max_text_chars": 10, "max_body_bytes": 2048},
        {"max_texts": 3, "max_text_chars": 10},
        [3, 10, 2048],
    ],
)
def test_limits_that_are_not_positive_integers_are_a_bad_answer(limits: object) -> None:
    service = FakeAiService(200, limits)
    client = AiClient("http://ai", model_name=MODEL, transport=service.transport)
    with pytest.raises(AiServiceUnavailable, match="answered"):
        client.encode(["wind"])
    assert service.batches == []


def closed_port_url() -> str:
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A socket that accepts connections and never answers (a hung AI service)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()


@pytest.mark.parametrize("down", ["refused", "hung"])
def test_match_answers_503_within_2_s_when_the_ai_service_is_down(
    down: str, silent_server: str, tmp_path: Path
) -> None:
    url = closed_port_url() if down == "refused" else silent_server
    # The demo data is embedded through the AI service at start-up: a short bulk timeout
    # keeps a hung one from holding the start for the default 60 s.
    settings = embedded_settings(
        tmp_path, embedding_model=MODEL, ai_service_url=url, ai_service_bulk_timeout_seconds=1.0
    )
    with TestClient(create_app(settings)) as client:
        started = time.monotonic()
        first = client.post("/api/match", json={"text": WIND})
        first_took = time.monotonic() - started
        assert first.status_code == 503
        assert "AI service" in first.json()["detail"]
        # Within the client's timeout, not never (a hung service never answers); ten times
        # it leaves room for a loaded machine.
        timeout = settings.ai_service_timeout_seconds
        assert first_took < 10 * timeout, first_took
        started = time.monotonic()
        again = client.post("/api/match", json={"text": "solar"})
        assert again.status_code == 503 and again.headers["Retry-After"] == "5"
        took = time.monotonic() - started
        assert took < timeout, took  # the breaker skips the call: no wait for the timeout
        # Everything else keeps working: search, login, careers, health.
        assert client.get("/api/jobs?search=wind").json()["total"] > 0
        api = Api(client)
        candidate, _ = api.login_as("candidate")
        job_id = client.get("/api/jobs").json()["jobs"][0]["id"]
        assert candidate.post(f"/api/jobs/{job_id}/apply").status_code == 201
        assert client.get("/health").status_code == 200
        ready = client.get("/health/ready")  # the AI service is optional: degraded, not down
        assert (ready.status_code, ready.json()["status"]) == (200, "degraded")
        assert "ai_service" in ready.json()["down"]
        metrics = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
        assert 'gm_dependency_available{dependency="ai_service"} 0.0' in metrics.text


def test_another_model_at_the_ai_service_is_refused_by_name(
    ai_server: LiveServer, tmp_path: Path
) -> None:
    other = "sentence-transformers/all-mpnet-base-v2"
    settings = embedded_settings(tmp_path, embedding_model=other, ai_service_url=ai_server.url)
    with TestClient(create_app(settings, service="matching")) as client:
        answer = client.post("/api/match", json={"text": WIND})
    assert answer.status_code == 503
    detail = answer.json()["detail"]
    assert MODEL in detail and other in detail


def test_the_client_refuses_a_wrong_model_without_opening_its_breaker(
    ai_server: LiveServer,
) -> None:
    client = AiClient(ai_server.url, model_name="another-model")
    with pytest.raises(AiServiceUnavailable, match="serves model"):
        client.encode_one("wind")
    assert client.breaker.state == "closed"
    client.close()


def test_aws_iam_auth_without_the_signer_is_a_clear_config_error(tmp_path: Path) -> None:
    settings = embedded_settings(
        tmp_path, ai_service_url="http://127.0.0.1:9", ai_service_auth="aws_iam"
    )
    with pytest.raises(AiServiceConfigError, match="needs AWS_REGION"):
        ai_client(settings.model_copy(update={"aws_region": ""}))
    settings = settings.model_copy(update={"aws_region": "eu-west-1"})
    try:
        import app.services.lattice_auth  # noqa: F401
    except ImportError:
        with pytest.raises(AiServiceConfigError, match="AI_SERVICE_AUTH=aws_iam needs"):
            ai_client(settings)
    else:
        assert ai_client(settings) is not None


def test_match_recovers_when_the_ai_service_comes_back(tmp_path: Path) -> None:
    """Stop the AI service: match turns into a quick 503; start it again on the same port:
    after the breaker's cool-down match answers again, without a restart."""
    ai_settings = embedded_settings(tmp_path / "ai", embedding_model=MODEL)
    ai = LiveServer(create_app(ai_settings, service="ai"))
    ai.start()
    settings = embedded_settings(
        tmp_path / "matching",
        embedding_model=MODEL,
        ai_service_url=ai.url,
        dependency_retry_seconds=0.5,
    )
    with TestClient(create_app(settings, service="matching")) as client:
        assert client.post("/api/match", json={"text": "wind power"}).status_code == 200
        ai.stop()
        started = time.monotonic()
        down = client.post("/api/match", json={"text": "solar power"})
        took = time.monotonic() - started
        assert down.status_code == 503 and took < 10 * settings.ai_service_timeout_seconds, took
        again = LiveServer(create_app(ai_settings, service="ai"), port=ai.port)
        again.start()
        try:
            # The cool-down has to pass (the event is a time): the next call is its probe.
            time.sleep(settings.dependency_retry_seconds + 0.1)
            back = client.post("/api/match", json={"text": "solar power"})
            assert back.status_code == 200 and back.json()["results"]
        finally:
            again.stop()
