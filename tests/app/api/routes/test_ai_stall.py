"""Jobs posted while the AI service is hung (its own process, SIGSTOP: the port accepts,
nothing answers) are acknowledged at once and found by /api/match once it resumes; no call
to the AI service ever holds a database connection; an exhausted pool answers 503 with
Retry-After. On MariaDB (a database of this test's own) behind a real uvicorn."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from app.core.settings import Settings
from app.main import create_app
from app.services.ai_client import AiClient
from tests.app.conftest import (
    MARIADB_HOST,
    MARIADB_PORT,
    PASSWORD,
    Api,
    drop_databases,
    mariadb_url,
    need_service,
    recreate_databases,
    unique_email,
)
from tests.app.live_server import AiServiceProcess, live
from tests.app.waiting import wait_embedded, wait_for

MODEL = "bundled:all-MiniLM-L6-v2"
POSTS = 45


@pytest.fixture(scope="module")
def ai_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AiServiceProcess]:
    service = AiServiceProcess(tmp_path_factory.mktemp("ai-process"))
    service.start()
    yield service
    service.stop()


@pytest.fixture
def database_url() -> Iterator[str]:
    need_service("MariaDB", MARIADB_HOST, MARIADB_PORT)
    name = f"gm_stall_{uuid.uuid4().hex[:10]}"
    recreate_databases(name)
    yield mariadb_url(name)
    drop_databases(name)


def stall_settings(database_url: str, tmp_path: Path, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "app_env": "local",
        "data_dir": tmp_path,
        "database_url": database_url,
        "redis_url": "",
        "embed_mode": "inline",  # the app's own drainer plays the worker
        "embedding_model": MODEL,
        "demo_jobs_per_sdg": 1,
        "ai_service_timeout_seconds": 1.0,
        "ai_service_bulk_timeout_seconds": 5.0,
        "dependency_retry_seconds": 1.0,
        "outbox_poll_seconds": 0.2,
        "outbox_retry_base_seconds": 0.5,
        "outbox_retry_max_seconds": 2.0,
        "db_pool_size": 2,
        "db_max_overflow": 0,
        "db_pool_timeout": 2.0,
        **extra,
    }
    return Settings(**values)


def job_body(index: int, tag: str) -> dict[str, object]:
    """Texts distinct enough that each job is the best match for its own description."""
    trades = ["tidal turbines", "peat bogs", "heat pumps", "kelp farms", "bike lanes"]
    return {
        "title": f"Stall job {index} {tag}",
        "description": f"Job number {index}: care for {trades[index % 5]} in district {index}.",
        "sdg_tag": 1 + index % 17,
        "salary_min": 1,
        "salary_max": 2,
        "location": "Anywhere",
    }


def employer_client(base_url: str) -> httpx.Client:
    client = httpx.Client(base_url=base_url, timeout=30)
    email = unique_email("stall")
    body = {"email": email, "password": PASSWORD, "role": "employer",
            "employer_name": f"Stall Co {uuid.uuid4().hex[:8]}"}  # fmt: skip
    assert client.post("/api/auth/register", json=body).status_code == 201
    login = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return client


def test_jobs_posted_while_the_ai_service_hangs_are_all_matchable_after(
    ai_service: AiServiceProcess, database_url: str, tmp_path: Path
) -> None:
    settings = stall_settings(database_url, tmp_path, ai_service_url=ai_service.url)
    app = create_app(settings)
    tag = uuid.uuid4().hex[:6]
    with live(app) as server:
        state = app.state.gm
        employer = employer_client(server.url)
        answers: list[tuple[int, float, int | None]] = []
        index_of: dict[int, int] = {}
        others: list[int] = []
        with ai_service.hung():

            def post(index: int) -> None:
                started = time.monotonic()
                answer = employer.post("/api/jobs", json=job_body(index, tag))
                job_id = answer.json().get("id") if answer.status_code == 201 else None
                if job_id is not None:
                    index_of[job_id] = index
                answers.append((answer.status_code, time.monotonic() - started, job_id))

            def browse() -> None:
                with httpx.Client(base_url=server.url, timeout=30) as reader:
                    for _ in range(5):
                        others.append(reader.get("/api/jobs?search=Stall&limit=7").status_code)
                        others.append(reader.post("/api/match", json={"text": "kelp"}).status_code)

            with ThreadPoolExecutor(max_workers=10) as pool:
                browsing = [pool.submit(browse) for _ in range(2)]
                list(pool.map(post, range(POSTS)))
                for done in browsing:
                    done.result()
            statuses = sorted({status for status, _, _ in answers})
            assert statuses == [201], answers  # acknowledged, none refused or lost to a 500
            slowest = max(took for _, took, _ in answers)
            assert slowest < 5.0, f"a post took {slowest:.1f} s with the AI service hung"
            assert set(others) <= {200, 503} and 200 in others, others  # never a 500
            ready = httpx.get(f"{server.url}/health/ready", timeout=10).json()
            assert ready["outbox"]["backlog"] >= POSTS, ready
        acknowledged = [job_id for _, _, job_id in answers if job_id is not None]
        assert len(acknowledged) == POSTS
        # The AI service is back: every acknowledged job gets its vector, then is matched.
        wait_embedded(state, acknowledged, seconds=120)
        deadline = time.monotonic() + 120
        for job_id in acknowledged:
            index = index_of[job_id]
            text = job_body(index, tag)
            question = {"text": f"{text['title']}. {text['description']}", "limit": 5}
            while True:  # a busy AI service may still time a question out (503): ask again
                found = httpx.post(f"{server.url}/api/match", json=question, timeout=30)
                assert found.status_code in (200, 503), found.text
                if found.status_code == 200:
                    break
                assert time.monotonic() < deadline, found.text
                time.sleep(0.2)
            assert job_id in [r["job"]["id"] for r in found.json()["results"]], (index, job_id)
        ready = httpx.get(f"{server.url}/health/ready", timeout=10).json()
        assert ready["outbox"]["backlog"] == 0, ready
        employer.close()


class HeldConnections:
    """Database connections each thread holds, from the engines' pool events."""

    def __init__(self) -> None:
        self.held: dict[int, int] = {}
        self.lock = threading.Lock()

    def attach(self, engine: Any) -> None:
        event.listen(engine, "checkout", lambda *_: self._change(+1))
        event.listen(engine, "checkin", lambda *_: self._change(-1))

    def _change(self, step: int) -> None:
        with self.lock:
            ident = threading.get_ident()
            self.held[ident] = self.held.get(ident, 0) + step

    def now(self) -> int:
        with self.lock:
            return self.held.get(threading.get_ident(), 0)


def test_no_call_to_the_ai_service_holds_a_database_connection(
    ai_service: AiServiceProcess,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    held = HeldConnections()
    seen: list[tuple[str, int]] = []
    call = AiClient._call

    def watched(self: AiClient, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        seen.append((path, held.now()))
        return call(self, method, path, **kwargs)

    monkeypatch.setattr(AiClient, "_call", watched)
    settings = stall_settings(database_url, tmp_path, ai_service_url=ai_service.url)
    app = create_app(settings)
    for engine in app.state.gm.database.engines.values():
        held.attach(engine)
    with TestClient(app) as client:  # start-up: the demo data is embedded
        api = Api(client)
        employer, _ = api.login_as("employer", employer_name=f"Held Co {uuid.uuid4().hex[:8]}")
        posted = employer.post("/api/jobs", json=job_body(1, "held"))
        assert posted.status_code == 201
        wait_embedded(app.state.gm, [posted.json()["id"]])
        assert client.post("/api/match", json={"text": "heat pumps"}).status_code == 200
        assert client.post("/api/careers/recommend", json={"text": "ocean"}).status_code == 200
    embeds = [count for path, count in seen if path.endswith("/embed")]
    assert len(embeds) >= 4, seen  # demo jobs, careers, the new job, match, recommend
    assert all(count == 0 for _, count in seen), seen


def test_an_exhausted_pool_answers_503_with_retry_after(database_url: str, tmp_path: Path) -> None:
    settings = stall_settings(database_url, tmp_path, db_pool_size=1, db_pool_timeout=0.5)
    with TestClient(create_app(settings)) as client:
        employer, _ = Api(client).login_as("employer", employer_name=f"Pool {uuid.uuid4().hex[:8]}")
        writer = client.app.state.gm.database.writer  # type: ignore[attr-defined]
        with writer.connect():  # the pool's only connection, taken
            for answer in (
                client.get(f"/api/jobs?search={uuid.uuid4().hex}"),
                employer.post("/api/jobs", json=job_body(2, "pool")),
            ):
                assert answer.status_code == 503, answer.text
                assert answer.headers["Retry-After"] == "1"
                assert "busy" in answer.json()["detail"]
        assert client.get(f"/api/jobs?search={uuid.uuid4().hex}").status_code == 200
        wait_for(lambda: client.get("/health/ready").status_code == 200, 10, "ready again")
