from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry

from app.core.cache import MemoryStore, QueryCache, RedisStore
from app.main import create_app
from app.models import Role
from app.services.users import create_user
from tests.app.conftest import PASSWORD, Api, embedded_settings, unique_email


def metric(api: Api, name: str, **labels: str) -> float:
    registry: CollectorRegistry = api.client.app.state.gm.metrics.registry
    return registry.get_sample_value(name, labels) or 0.0


def admin_client(api: Api) -> TestClient:
    state = api.client.app.state.gm
    email = unique_email("admin")
    with state.database.write_session() as session:
        create_user(session=session, email=email, password=PASSWORD, role=Role.admin)
        session.commit()
    client = TestClient(api.client.app)
    assert client.post("/api/auth/login", json={"email": email, "password": PASSWORD}).is_success
    return client


def test_careers_are_cached_and_invalidated_on_change(api: Api) -> None:
    api.client.get("/api/careers")  # warm
    hits = metric(api, "gm_cache_hits_total", cache="careers")
    cached = api.client.get("/api/careers").json()
    assert metric(api, "gm_cache_hits_total", cache="careers") == hits + 1
    assert cached["total"] == len(cached["careers"]) >= 17
    assert {c["sdg_tag"] for c in cached["careers"]} == set(range(1, 18))

    title = f"Heat Pump Installer {uuid.uuid4().hex[:6]}"
    body = {"title": title, "description": "Fit air-source heat pumps.", "sdg_tag": 7}
    candidate, _ = api.login_as("candidate")
    assert candidate.post("/api/careers", json=body).status_code == 403
    created = admin_client(api).post("/api/careers", json={**body, "skills": ["plumbing"]})
    assert created.status_code == 201, created.text

    misses = metric(api, "gm_cache_misses_total", cache="careers")
    fresh = api.client.get("/api/careers").json()
    assert metric(api, "gm_cache_misses_total", cache="careers") == misses + 1
    assert fresh["total"] == cached["total"] + 1 and title in {c["title"] for c in fresh["careers"]}


def test_careers_cache_entry_has_the_documents_ttl(services_app: Api) -> None:
    state = services_app.client.app.state.gm
    services_app.client.get("/api/careers")
    assert isinstance(state.store, RedisStore)
    ttl = state.store.client.ttl(f"{state.settings.redis_key_prefix}cache:careers:all")
    assert state.settings.redis_key_prefix.startswith("gmtest")
    assert 590 < ttl <= 600


def test_query_cache_counts_hits_and_misses() -> None:
    seen: list[str] = []
    cache = QueryCache(
        MemoryStore(), on_hit=lambda n: seen.append("hit"), on_miss=lambda n: seen.append("miss")
    )
    assert cache.get("x", "k") is None
    cache.set("x", "k", {"a": [1, 2]}, ttl=60)
    assert cache.get("x", "k") == {"a": [1, 2]}
    assert cache.invalidate("x", "k") and cache.get("x", "k") is None
    assert seen == ["miss", "hit", "miss"]


@pytest.fixture(scope="module")
def redis_down(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """An app whose REDIS_URL points at a port where nothing listens."""
    settings = embedded_settings(
        tmp_path_factory.mktemp("redis-down"),
        redis_url="redis://127.0.0.1:1/0",
        embed_mode="inline",
        demo_jobs_per_sdg=1,
    )
    with TestClient(create_app(settings)) as client:
        yield Api(client)


def test_redis_down_reads_still_answer_and_login_is_503(redis_down: Api) -> None:
    client = redis_down.client
    assert client.get("/api/careers").json()["total"] >= 17
    assert client.get("/api/jobs").json()["total"] == 17
    assert metric(redis_down, "gm_cache_errors_total") > 0
    email = unique_email()
    registered = client.post(
        "/api/auth/register", json={"email": email, "password": PASSWORD, "role": "candidate"}
    )
    assert registered.status_code == 201
    login = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 503
    assert "Redis" in login.json()["detail"]
    ready = client.get("/health/ready")
    assert ready.status_code == 503 and "redis" in ready.json()["down"]
    assert client.get("/health").status_code == 200
    match = client.post("/api/match", json={"text": "solar panels on roofs", "limit": 3})
    assert match.status_code == 200 and len(match.json()["results"]) == 3


def test_memory_store_expires() -> None:
    store = MemoryStore()
    store.set("k", "v", ttl=0)
    assert store.get("k") is None
