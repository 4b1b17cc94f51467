"""Services calling the AI service: matching and new jobs get vectors from a real AI
service on a loopback port; when it is down, hung or serves another model, /api/match
answers 503 with the reason within 2 s and the rest keeps working."""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

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

MODEL = "bundled:all-MiniLM-L6-v2"
WIND = "How can I get a job repairing wind turbines?"


@pytest.fixture(scope="module")
def ai_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    settings = embedded_settings(tmp_path_factory.mktemp("ai"), embedding_model=MODEL)
    with live(create_app(settings, service="ai")) as server:
        yield server


def embed_requests(server: LiveServer) -> float:
    """How many /api/ai/embed requests the AI service has answered."""
    registry = server.app.state.gm.metrics.registry
    value = registry.get_sample_value(
        "gm_http_requests_total", {"method": "POST", "route": "/api/ai/embed", "status": "200"}
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


def test_requests_are_split_by_count_and_size() -> None:
    assert [len(run) for run in chunks(["x"] * 130)] == [64, 64, 2]
    runs = chunks(["a" * 20_000, "b" * 10_000, "c" * 4000, "d"])
    assert [len(run) for run in runs] == [2, 2]


def test_a_new_job_gets_its_vector_through_the_ai_service(
    ai_server: LiveServer, tmp_path: Path
) -> None:
    settings = embedded_settings(
        tmp_path, embedding_model=MODEL, ai_service_url=ai_server.url, embed_mode="inline"
    )
    with TestClient(create_app(settings)) as client:
        api = Api(client)
        employer, _ = api.login_as("employer", employer_name=f"Tide Co {uuid.uuid4().hex[:6]}")
        before = embed_requests(ai_server)
        job = {
            "title": "Tidal Energy Technician",
            "description": "Maintain tidal stream turbines offshore.",
            "sdg_tag": 7,
            "salary_min": 40000,
            "salary_max": 52000,
            "location": "Orkney",
        }
        created = employer.post("/api/jobs", json=job)
        assert created.status_code == 201, created.text
        assert embed_requests(ai_server) >= before + 1
        results = client.post("/api/match", json={"text": "tidal turbines", "limit": 3})
        assert created.json()["id"] in [r["job"]["id"] for r in results.json()["results"]]


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
        assert first_took < 2.0
        started = time.monotonic()
        again = client.post("/api/match", json={"text": "solar"})
        assert again.status_code == 503 and again.headers["Retry-After"] == "5"
        assert time.monotonic() - started < 1.0  # the breaker skips it at once (timeout 1.5 s)
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
        assert down.status_code == 503 and time.monotonic() - started < 2.0
        again = LiveServer(create_app(ai_settings, service="ai"), port=ai.port)
        again.start()
        try:
            time.sleep(0.6)  # the cool-down: the next call is the breaker's probe
            back = client.post("/api/match", json={"text": "solar power"})
            assert back.status_code == 200 and back.json()["results"]
        finally:
            again.stop()
