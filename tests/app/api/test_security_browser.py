"""Browser-side: same-origin state changes only, security headers, no docs in production."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.core.browser_security import same_origin
from app.main import create_app
from tests.app.conftest import PASSWORD, Api, embedded_settings, unique_email

HEADERS = (
    "content-security-policy",
    "x-frame-options",
    "x-content-type-options",
    "referrer-policy",
    "strict-transport-security",
)


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "https://evil.example"},
        {"origin": "http://jobs.testserver"},  # a sibling subdomain: same site, other origin
        {"origin": "null"},  # sandboxed frame or file://
        {"origin": "http://testserver.evil.example"},
        {"sec-fetch-site": "cross-site"},
        {"sec-fetch-site": "same-site"},
    ],
)
def test_cross_origin_state_changes_are_refused(api: Api, headers: dict[str, str]) -> None:
    client, _ = api.login_as("candidate")
    assert client.post("/api/auth/logout", headers=headers).status_code == 403
    job_apply = client.post("/api/jobs/1/apply", headers=headers)
    assert job_apply.status_code == 403
    assert client.get("/api/auth/me").status_code == 200  # the logout did not happen


def test_same_origin_requests_pass(api: Api) -> None:
    client, _ = api.login_as("candidate")
    same = {"origin": "http://testserver", "sec-fetch-site": "same-origin"}
    assert client.post("/api/match", json={"text": "wind"}, headers=same).status_code == 200
    assert client.post("/api/auth/logout", headers=same).status_code == 204


@pytest.mark.parametrize(
    "content_type",
    ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain"],
)
def test_bodies_that_forms_can_send_are_refused(api: Api, content_type: str) -> None:
    client, _ = api.login_as("candidate")
    answer = client.post(
        "/api/jobs/1/apply", content=b"cover_letter=hi", headers={"content-type": content_type}
    )
    assert answer.status_code == 415


def test_origin_comparison() -> None:
    assert same_origin("https://app.example.org", "app.example.org", "http", [])  # TLS at ALB
    assert same_origin("http://localhost:8000", "localhost:8000", "http", [])
    assert not same_origin("http://localhost:8001", "localhost:8000", "http", [])
    assert not same_origin("https://app.example.org.evil.io", "app.example.org", "http", [])
    assert same_origin(
        "https://cdn.example.org", "app.example.org", "http", ["https://cdn.example.org"]
    )


@pytest.mark.parametrize("path", ["/", "/api/jobs?limit=1", "/api/jobs/999999999", "/nope"])
def test_security_headers_on_every_answer(api: Api, path: str) -> None:
    answer = api.new_client().get(path)
    for name in HEADERS:
        assert name in answer.headers, (path, name)
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["x-content-type-options"] == "nosniff"


def test_headers_also_on_refusals(api: Api) -> None:
    answer = api.new_client().post(
        "/api/match", content=b"x", headers={"content-type": "text/plain"}
    )
    assert answer.status_code == 415 and "content-security-policy" in answer.headers


def test_front_page_csp_allows_only_own_scripts(embedded: Api) -> None:
    csp = embedded.client.get("/").headers["content-security-policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp


def test_docs_locally_but_not_in_production(embedded: Api, tmp_path: Path) -> None:
    assert embedded.client.get("/docs").status_code == 200
    settings = embedded_settings(
        tmp_path,
        app_env="production",
        session_secret="s" * 40,
        database_url=f"sqlite:///{tmp_path / 'prod.db'}",
    )
    production = TestClient(create_app(settings))  # no lifespan: nothing is migrated
    for path in ("/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect"):
        answer = production.get(path)
        assert answer.status_code == 404, path
        assert "cdn.jsdelivr" not in answer.text


def test_production_session_cookie_cannot_be_tossed_from_a_sibling(tmp_path: Path) -> None:
    """A sibling subdomain (same site) can set a ``Domain=`` cookie for the parent, and
    so plant its own session in a victim's browser (login CSRF, cookie tossing). In
    production the cookie is ``__Host-`` prefixed: browsers accept it only when Secure,
    for Path=/ and without a Domain, so no other host can set it; a cookie of the plain
    name is ignored."""
    from app.migrate import upgrade_all

    settings = embedded_settings(
        tmp_path,
        app_env="production",
        session_secret="s" * 40,
        database_url=f"sqlite:///{tmp_path / 'prod.db'}",
    )
    app = create_app(settings)
    upgrade_all(app.state.gm.database)
    client = TestClient(app, base_url="https://app.example.org")
    email = unique_email("host")
    body = {"email": email, "password": PASSWORD, "role": "candidate"}
    assert client.post("/api/auth/register", json=body).status_code == 201
    login = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200
    cookie = login.headers["set-cookie"]
    assert cookie.startswith("__Host-gm_session=")
    assert "Secure" in cookie and "Path=/" in cookie and "Domain" not in cookie
    assert client.get("/api/auth/me").status_code == 200
    value = client.cookies["__Host-gm_session"]
    tossed = TestClient(app, base_url="https://app.example.org")
    tossed.cookies.set("gm_session", value)
    assert tossed.get("/api/auth/me").status_code == 401
    logout = client.post("/api/auth/logout")
    cleared = logout.headers["set-cookie"]
    assert logout.status_code == 204 and cleared.startswith("__Host-gm_session=")
    assert "Secure" in cleared and "Max-Age=0" in cleared
