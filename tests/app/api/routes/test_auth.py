from __future__ import annotations

import time
import uuid

import pytest
import redis

from app.core.cache import MemoryStore, RedisStore
from app.core.security import sign, unsign
from app.core.sessions import SessionStore
from tests.app.conftest import PASSWORD, REDIS_TEST_DB, Api, need_service, unique_email


def test_register_login_me_logout(api: Api) -> None:
    client = api.new_client()
    email = unique_email("cand")
    body = {"email": email.upper(), "password": PASSWORD, "role": "candidate"}
    created = client.post("/api/auth/register", json=body)
    assert created.status_code == 201
    assert created.json()["email"] == email and "password" not in created.text

    assert client.get("/api/auth/me").status_code == 401
    login = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200
    cookie = login.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    assert client.get("/api/auth/me").json()["email"] == email

    assert client.post("/api/auth/logout").status_code == 204
    assert client.get("/api/auth/me").status_code == 401


def test_wrong_password_and_duplicate_email(api: Api) -> None:
    client = api.new_client()
    email = unique_email()
    body = {"email": email, "password": PASSWORD, "role": "candidate"}
    first = client.post("/api/auth/register", json=body)
    again = client.post("/api/auth/register", json={**body, "password": "another-long-phrase"})
    assert first.status_code == again.status_code == 201  # no hint that the e-mail exists
    assert first.json() == again.json()
    credentials = {"email": email, "password": PASSWORD}
    assert client.post("/api/auth/login", json=credentials).status_code == 200  # first kept
    wrong = client.post("/api/auth/login", json={"email": email, "password": "not-it-at-all"})
    assert wrong.status_code == 401
    assert "gm_session" not in wrong.headers.get("set-cookie", "")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not-an-email", "password": PASSWORD, "role": "candidate"}, "email"),
        ({"email": "a@b.org", "password": "short", "role": "candidate"}, "password"),
        ({"email": "a@b.org", "password": PASSWORD, "role": "admin"}, "role"),
        ({"email": "a@b.org", "password": PASSWORD}, "role"),
    ],
)
def test_register_rejects_bad_bodies_naming_the_field(
    embedded: Api, body: dict[str, str], field: str
) -> None:
    answer = embedded.new_client().post("/api/auth/register", json=body)
    assert answer.status_code == 422
    assert [field] == [e["loc"][-1] for e in answer.json()["detail"]]


def test_forged_cookie_is_not_a_session(embedded: Api) -> None:
    client, _ = embedded.login_as("candidate")
    real = client.cookies["gm_session"]
    session_id = real.rsplit(".", 1)[0]
    client.cookies.clear()
    client.cookies.set("gm_session", f"{session_id}.{'0' * 32}")
    assert client.get("/api/auth/me").status_code == 401
    assert unsign(sign("abc", "s1"), "s2") is None and unsign(sign("abc", "s1"), "s1") == "abc"


def test_sessions_expire_in_memory() -> None:
    sessions = SessionStore(MemoryStore(), ttl_seconds=1, max_age_seconds=60)
    session = sessions.create(user_id=7, role="candidate", generation=0)
    assert session is not None
    assert sessions.get(session.session_id) is not None
    time.sleep(1.05)
    assert sessions.get(session.session_id) is None


def test_sessions_live_in_redis_with_an_expiry() -> None:
    need_service("Redis", "127.0.0.1", 6379)
    client = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_TEST_DB, decode_responses=True)
    prefix = f"gmtest-ttl-{uuid.uuid4().hex[:8]}:"
    sessions = SessionStore(RedisStore(client, prefix=prefix), ttl_seconds=2, max_age_seconds=60)
    session = sessions.create(user_id=42, role="employer", generation=0)
    assert session is not None
    key = f"{prefix}session:{session.session_id}"
    assert 0 < client.ttl(key) <= 2
    loaded = sessions.get(session.session_id)
    assert loaded is not None and (loaded.user_id, loaded.role) == (42, "employer")
    time.sleep(2.1)
    assert sessions.get(session.session_id) is None and client.exists(key) == 0
