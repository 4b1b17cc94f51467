"""create_app: the whole app or one phase-4 service, chosen by argument or SERVICE_NAME."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from app.core.service_names import UnknownService
from app.core.settings import Settings
from app.main import create_app
from tests.app.conftest import (
    PASSWORD,
    REDIS_HOST,
    REDIS_PORT,
    REDIS_PREFIX,
    REDIS_TEST_DB,
    embedded_settings,
    need_service,
    unique_email,
)

HEALTH = {"/health", "/health/ready"}
ROUTES = {
    "web": {
        "/api/jobs",
        "/api/jobs/{job_id}",
        "/api/jobs/{job_id}/apply",
        "/api/applications",
        "/api/careers",
        "/api/careers/recommend",
        "/api/employers/invitations",
    },
    "auth": {
        "/api/auth/register",
        "/api/auth/login",
        "/api/auth/logout",
        "/api/auth/logout-all",
        "/api/auth/password",
        "/api/auth/me",
    },
    "matching": {"/api/match"},
    "ai": {"/api/ai/embed", "/api/ai/limits", "/api/ai/similarity", "/api/embeddings/model"},
    "analytics": {"/api/analytics/sdg", "/api/analytics/activity"},
}
REPO = Path(__file__).resolve().parents[2]


def schema_paths(service: str | None, tmp_path: Path) -> set[str]:
    app = create_app(embedded_settings(tmp_path), service=service)
    return set(app.openapi()["paths"])


@pytest.mark.parametrize("service", sorted(ROUTES))
def test_each_service_serves_only_its_routes(service: str, tmp_path: Path) -> None:
    assert schema_paths(service, tmp_path) == ROUTES[service] | HEALTH


@pytest.mark.parametrize("service", [None, "all"])
def test_the_whole_app_serves_every_route(service: str | None, tmp_path: Path) -> None:
    assert schema_paths(service, tmp_path) == set().union(*ROUTES.values()) | HEALTH


def test_the_infrastructure_name_ai_ml_is_the_ai_service(tmp_path: Path) -> None:
    assert schema_paths("ai-ml", tmp_path) == ROUTES["ai"] | HEALTH


def test_service_name_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SERVICE_NAME", "analytics")
    app = create_app(Settings(data_dir=tmp_path))
    assert set(app.openapi()["paths"]) == ROUTES["analytics"] | HEALTH
    assert app.state.gm.service == "analytics"


def test_an_unknown_service_is_refused_with_the_allowed_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(UnknownService, match="allowed: all, web, auth, matching, ai, analytics"):
        create_app(embedded_settings(tmp_path), service="billing")
    monkeypatch.setenv("SERVICE_NAME", "ai_ml")
    with pytest.raises(ValidationError, match="unknown service 'ai_ml'"):
        Settings()


def test_other_services_paths_answer_404_and_the_front_page_is_the_web_services(
    tmp_path: Path,
) -> None:
    with TestClient(create_app(embedded_settings(tmp_path), service="auth")) as client:
        assert client.get("/health").json() == {"status": "ok"}
        assert client.get("/api/jobs").status_code == 404
        assert client.post("/api/match", json={"text": "wind"}).status_code == 404
        assert client.get("/").status_code == 404
        assert client.get("/static/app.js").status_code == 404
        assert client.get("/metrics").status_code == 401  # metrics stay on every service
    with TestClient(create_app(embedded_settings(tmp_path), service="web")) as client:
        assert client.get("/").status_code == 200
        assert client.get("/api/jobs").json()["total"] > 0  # demo data seeded


def test_the_ai_service_has_no_database(tmp_path: Path) -> None:
    data_dir = tmp_path / "never-made"
    app = create_app(embedded_settings(data_dir), service="ai")
    assert app.state.gm.db is None
    with TestClient(app) as client:
        ready = client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {}  # no database, no Redis configured
    assert not data_dir.exists()  # no SQLite file was made


STARTS_WITHOUT_MODEL = """
import json, sys
from pathlib import Path
from fastapi.testclient import TestClient
from app.main import create_app
from tests.app.conftest import (
    PASSWORD,
    REDIS_HOST,
    REDIS_PORT,
    REDIS_PREFIX,
    REDIS_TEST_DB,
    embedded_settings,
    need_service,
    unique_email,
)
with TestClient(create_app(embedded_settings(Path(sys.argv[2])), service=sys.argv[1])) as c:
    c.get("/health/ready")
    c.post("/api/auth/login", json={"email": "candidate@demo.greenmatchers.org",
                                    "password": "greenmatch-demo"})
    c.get("/api/jobs")
print(json.dumps(sorted(m for m in ("torch", "sentence_transformers") if m in sys.modules)))
"""


@pytest.mark.parametrize("service", ["web", "auth", "analytics"])
def test_web_auth_and_analytics_never_load_the_model(service: str, tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-c", STARTS_WITHOUT_MODEL, service, str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert json.loads(run.stdout.strip().splitlines()[-1]) == []


def test_a_login_at_the_auth_service_is_a_session_at_the_web_service(tmp_path: Path) -> None:
    """Two services, one session store (Redis): the cookie the auth service sets works
    at the web service, and logging out there ends it everywhere."""
    need_service("Redis", REDIS_HOST, REDIS_PORT)
    shared = {
        "redis_url": f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_TEST_DB}",
        "redis_key_prefix": f"{REDIS_PREFIX}svc{uuid.uuid4().hex[:6]}:",
    }
    auth_app = create_app(embedded_settings(tmp_path, **shared), service="auth")
    web_app = create_app(embedded_settings(tmp_path, **shared), service="web")
    with TestClient(auth_app) as auth, TestClient(web_app) as web:
        email = unique_email("candidate")
        body = {"email": email, "password": PASSWORD, "role": "candidate"}
        assert auth.post("/api/auth/register", json=body).status_code == 201
        login = auth.post("/api/auth/login", json={"email": email, "password": PASSWORD})
        assert login.status_code == 200
        web.cookies.update(auth.cookies)
        job_id = web.get("/api/jobs").json()["jobs"][0]["id"]
        assert web.post(f"/api/jobs/{job_id}/apply").status_code == 201
        assert [a["job_id"] for a in web.get("/api/applications").json()] == [job_id]
        assert auth.post("/api/auth/logout").status_code == 204
        assert web.get("/api/applications").status_code == 401
    import redis

    server = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_TEST_DB)
    for key in server.scan_iter(f"{shared['redis_key_prefix']}*"):
        server.delete(key)
