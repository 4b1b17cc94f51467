"""Sessions end when they are ended: logout beats a write in flight, an absolute lifetime,
a password change revokes the other sessions, "log out everywhere" all of them; every
malformed session cookie is anonymous; every error page carries the security headers."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.core import sessions as sessions_module
from app.core.cache import MemoryStore
from app.core.sessions import SessionStore
from app.main import create_app
from tests.app.conftest import PASSWORD, Api, embedded_settings
from tests.app.live_server import live

JOB = {"title": "Race Job", "description": "Logout while this posts.", "sdg_tag": 7,
       "salary_min": 1, "salary_max": 2, "location": "Here"}  # fmt: skip
SECURITY_HEADERS = (
    "Content-Security-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Strict-Transport-Security",
)


def store() -> SessionStore:
    return SessionStore(MemoryStore(), ttl_seconds=60, max_age_seconds=600)


def test_a_write_never_re_creates_a_deleted_session() -> None:
    sessions = store()
    session = sessions.create(user_id=1, role="employer", generation=0)
    assert session is not None
    loaded = sessions.get(session.session_id)
    assert loaded is not None
    sessions.delete(loaded)  # logout
    sessions.mark_write(loaded)  # the write that was in flight
    assert sessions.get(session.session_id) is None


def test_the_absolute_lifetime_ends_a_session_in_use(monkeypatch: pytest.MonkeyPatch) -> None:
    sessions = store()
    now = [1_000_000.0]
    monkeypatch.setattr(sessions_module.time, "time", lambda: now[0])
    session = sessions.create(user_id=2, role="candidate", generation=0)
    assert session is not None
    for _ in range(10):  # used every 59 s: the idle expiry never runs out
        now[0] += 59
        assert sessions.get(session.session_id) is not None
    now[0] = session.created_at + 600
    assert sessions.get(session.session_id) is None


def test_a_login_that_raced_a_revocation_gets_no_session() -> None:
    sessions = store()
    generation = sessions.generation(3)  # read before the password check
    sessions.revoke_all(3)  # the password changes meanwhile
    assert sessions.create(user_id=3, role="candidate", generation=generation) is None
    assert sessions.create(user_id=3, role="candidate", generation=sessions.generation(3))


@pytest.mark.parametrize("trial", range(12))
def test_logout_beats_a_write_in_flight(api: Api, trial: int) -> None:
    employer, _ = api.login_as("employer", employer_name=f"Race Co {uuid.uuid4().hex[:8]}")
    cookie = employer.cookies["gm_session"]
    stop = threading.Event()
    answers: list[int] = []

    def write() -> None:  # a busy writer on the same cookie
        writer = api.new_client()
        writer.cookies.set("gm_session", cookie)
        while not stop.is_set():
            answers.append(writer.post("/api/jobs", json=JOB).status_code)

    threads = [threading.Thread(target=write) for _ in range(2)]
    for thread in threads:
        thread.start()
    while not answers:  # the writers are running
        time.sleep(0.001)
    assert employer.post("/api/auth/logout").status_code == 204
    stop.set()
    for thread in threads:
        thread.join(30)
    assert set(answers) <= {201, 401}, answers
    probe = api.new_client()
    probe.cookies.set("gm_session", cookie)
    assert probe.get("/api/auth/me").status_code == 401
    assert probe.post("/api/jobs", json=JOB).status_code == 401


def test_a_password_change_ends_every_other_session(api: Api) -> None:
    email = f"pw-{uuid.uuid4().hex[:10]}@example.org"
    client = api.new_client()
    body = {"email": email, "password": PASSWORD, "role": "candidate"}
    assert client.post("/api/auth/register", json=body).status_code == 201
    devices = [api.new_client() for _ in range(3)]
    for device in devices:
        login = device.post("/api/auth/login", json={"email": email, "password": PASSWORD})
        assert login.status_code == 200
    this, *others = devices
    new = f"sturdy-new-{uuid.uuid4().hex}"
    wrong = this.post("/api/auth/password", json={"current_password": "nope-" + new,
                                                  "new_password": new})  # fmt: skip
    assert wrong.status_code == 401
    weak = this.post("/api/auth/password", json={"current_password": PASSWORD,
                                                 "new_password": email})  # fmt: skip
    assert weak.status_code == 422
    assert weak.json()["detail"][0]["loc"][-1] == "new_password"
    changed = this.post(
        "/api/auth/password", json={"current_password": PASSWORD, "new_password": new}
    )
    assert changed.status_code == 204, changed.text
    assert this.get("/api/auth/me").status_code == 200
    assert [other.get("/api/auth/me").status_code for other in others] == [401, 401]
    fresh = api.new_client()
    assert (
        fresh.post("/api/auth/login", json={"email": email, "password": PASSWORD}).status_code
        == 401
    )
    assert fresh.post("/api/auth/login", json={"email": email, "password": new}).status_code == 200
    anonymous = {"current_password": new, "new_password": new + "x"}
    assert api.new_client().post("/api/auth/password", json=anonymous).status_code == 401


def test_log_out_everywhere_ends_every_session(api: Api) -> None:
    email = f"all-{uuid.uuid4().hex[:10]}@example.org"
    client = api.new_client()
    body = {"email": email, "password": PASSWORD, "role": "candidate"}
    assert client.post("/api/auth/register", json=body).status_code == 201
    devices = [api.new_client() for _ in range(3)]
    for device in devices:
        device.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert devices[0].post("/api/auth/logout-all").status_code == 204
    assert [device.get("/api/auth/me").status_code for device in devices] == [401] * 3
    assert api.new_client().post("/api/auth/logout-all").status_code == 401


def raw_request(port: int, cookie_lines: list[bytes], path: bytes = b"/api/auth/me") -> bytes:
    request = b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    request += b"".join(b"Cookie: " + line + b"\r\n" for line in cookie_lines) + b"\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data


def test_every_malformed_cookie_is_anonymous(embedded: Api) -> None:
    client, _ = embedded.login_as("candidate")
    good = client.cookies["gm_session"].encode()
    session_id, mac = good.split(b".")
    shapes = {
        "stray byte": good[:-1] + b"\xff",
        "non-ASCII letter": good[:5] + "é".encode() + good[6:],
        "tab inside": good[:10] + b"\t" + good[11:],
        "too long": good + b"0",
        "too short": good[:-1],
        "huge": good * 100,
        "no separator": session_id + mac,
        "two separators": session_id + b".." + mac,
        "separator only": b".",
        "empty": b"",
        "quoted": b'"' + good + b'"',
        "upper-case mac": session_id + b"." + mac.upper(),
        "wrong mac": session_id + b"." + b"0" * 32,
    }
    with live(embedded.client.app) as server:
        assert b" 200 " in raw_request(server.port, [b"gm_session=" + good]).split(b"\r\n")[0]
        lines = {name: [b"gm_session=" + value] for name, value in shapes.items()}
        lines["duplicate pair"] = [b"gm_session=" + good + b"; gm_session=" + good]
        lines["duplicate header"] = [b"gm_session=" + good, b"gm_session=" + good]
        lines["name without value"] = [b"gm_session"]
        # NUL and DEL never reach the app: uvicorn refuses the request (400), not a 500.
        for byte in (b"\x00", b"\x7f"):
            refused = raw_request(server.port, [b"gm_session=" + good[:10] + byte + good[11:]])
            assert refused.split(b"\r\n")[0].split(b" ")[1] == b"400"
        for name, cookie in lines.items():
            answer = raw_request(server.port, cookie)
            assert answer.split(b"\r\n")[0].split(b" ")[1] == b"401", (name, answer[:200])
            anonymous = raw_request(server.port, cookie, b"/api/jobs?limit=10")
            assert anonymous.split(b"\r\n")[0].split(b" ")[1] == b"200", (name, anonymous[:200])


def test_every_error_page_carries_the_security_headers(tmp_path: Path) -> None:
    app = create_app(embedded_settings(tmp_path, demo_jobs_per_sdg=0))

    def boom() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/api/boom", boom)
    with TestClient(app, raise_server_exceptions=False) as client:
        answers = {
            500: client.get("/api/boom"),
            404: client.get("/nowhere"),
            405: client.delete("/api/jobs"),
            422: client.get("/api/jobs?limit=0"),
            401: client.get("/api/auth/me"),
        }
    for status, answer in answers.items():
        assert answer.status_code == status
        missing = [name for name in SECURITY_HEADERS if name not in answer.headers]
        assert missing == [], (status, missing)
    assert answers[500].json() == {"detail": "internal error"}  # nothing of the error shown
