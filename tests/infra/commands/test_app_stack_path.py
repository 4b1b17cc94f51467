"""The deployed request path, rehearsed whole: a browser-shaped client through the CDN
stand-in (HTTPS, the local CA) to the ALB stand-in and the app, with viewers on distinct
loopback addresses. One phase-2 stack for the module (the phase-4 stack is driven in
``test_app_stack.py``)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.cookies import SimpleCookie
from typing import Any

import pytest

from tests.browser import front_page_flow, need_chromium
from tests.infra.commands.test_app_stack import Running, connect, running_stack

PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    with running_stack(2, tmp_path_factory.mktemp("path")) as running:
        yield running


class Viewer:
    """A browser on one loopback address: its origin, Sec-Fetch-Site and cookies."""

    def __init__(self, stack: Running, address: str, origin: str | None = None) -> None:
        self.stack = stack
        self.address = address
        self.origin = origin or stack.cdn
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, str, dict[str, str]]:
        sent = {"Sec-Fetch-Site": "same-origin" if self.origin == self.stack.cdn else "cross-site"}
        if method != "GET":
            sent["Origin"] = self.origin
            sent["Content-Type"] = "application/json"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        sent.update(headers or {})
        # a first match loads the model in that process: slow on 2 busy cores
        connection = connect(self.stack.cdn, self.stack.ca, self.address, timeout=90)
        try:
            payload = json.dumps(body) if body is not None else None
            connection.request(method, path, payload, sent)
            answer = connection.getresponse()
            text = answer.read().decode(errors="replace")
            for value in answer.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(value).items():
                    self.cookies[name] = morsel.value
            return answer.status, text, {k.lower(): v for k, v in answer.getheaders()}
        finally:
            connection.close()


def unique(prefix: str) -> str:
    return f"{prefix}-{time.monotonic_ns()}@example.org"


def register_and_log_in(viewer: Viewer, role: str, **extra: str) -> str:
    email = unique(role)
    body = {"email": email, "password": PASSWORD, "role": role, **extra}
    status, text, _ = viewer.request("POST", "/api/auth/register", body)
    assert status == 201, text
    status, text, _ = viewer.request(
        "POST", "/api/auth/login", {"email": email, "password": PASSWORD}
    )
    assert status == 200, text
    return email


def test_browser_shaped_writes_succeed_through_the_cdn(stack: Running) -> None:
    employer = Viewer(stack, "127.0.0.11")
    register_and_log_in(employer, "employer", employer_name=f"日本 Solar ☀ {time.time_ns()}")
    job = {
        "title": "☀ 日本 installer",
        "description": "Rooftop solar in 日本",
        "sdg_tag": 7,
        "salary_min": 30000,
        "salary_max": 40000,
        "location": "大阪",
    }
    status, text, _ = employer.request("POST", "/api/jobs", job)
    assert status == 201, text
    job_id = json.loads(text)["id"]
    status, text, _ = employer.request("GET", "/api/jobs?search=%E6%97%A5%E6%9C%AC")
    assert status == 200 and job_id in [j["id"] for j in json.loads(text)["jobs"]], text

    candidate = Viewer(stack, "127.0.0.12")
    register_and_log_in(candidate, "candidate")
    status, text, _ = candidate.request("POST", "/api/match", {"text": "solar roofs"})
    assert status == 200, text
    status, text, _ = candidate.request("POST", f"/api/jobs/{job_id}/apply", {})
    assert status in (200, 201), text
    status, text, _ = candidate.request("POST", "/api/auth/logout", {})
    assert status in (200, 204), text
    status, _, _ = candidate.request("GET", "/api/auth/me")
    assert status == 401


def test_a_person_in_chromium_registers_matches_applies_and_signs_out_through_the_cdn(
    stack: Running,
) -> None:
    need_chromium()
    front_page_flow(stack.cdn, unique("browser"), PASSWORD)


def test_another_origin_is_refused_through_the_cdn(stack: Running) -> None:
    for origin in ("https://evil.example", "https://127.0.0.1:1", stack.url):
        viewer = Viewer(stack, "127.0.0.13", origin=origin)
        status, text, _ = viewer.request(
            "POST", "/api/auth/login", {"email": unique("x"), "password": PASSWORD}
        )
        assert status == 403, (origin, text)


def test_two_viewers_behind_the_cdn_are_throttled_apart(stack: Running) -> None:
    """30 failed logins a minute per client (LOGIN_LIMITS_PER_CLIENT): the 34 of one
    viewer do not stop another viewer behind the same CDN; a forged X-Forwarded-For or
    CloudFront-Viewer-Address does not let the first one escape its count."""
    victim = Viewer(stack, "127.0.0.21")
    email = register_and_log_in(victim, "candidate")
    attacker = Viewer(stack, "127.0.0.22")
    statuses = []
    for index in range(34):
        forged = {"X-Forwarded-For": f"10.9.{index}.1", "CloudFront-Viewer-Address": "10.0.0.1:1"}
        status, _, _ = attacker.request(
            "POST", "/api/auth/login", {"email": unique("nobody"), "password": "wrong"}, forged
        )
        statuses.append(status)
    assert statuses[0] == 401
    assert statuses[-1] == 429, statuses
    fresh = Viewer(stack, "127.0.0.21")
    status, text, _ = fresh.request(
        "POST", "/api/auth/login", {"email": email, "password": PASSWORD}
    )
    assert status == 200, text


def test_internal_routes_are_not_public(stack: Running) -> None:
    viewer = Viewer(stack, "127.0.0.14")
    for method, path in (
        ("POST", "/api/ai/embed"),
        ("POST", "/api/ai/similarity"),
        ("GET", "/api/embeddings/model"),
        ("GET", "/docs"),
        ("GET", "/openapi.json"),
        ("GET", "/health/ready"),
        ("GET", "/metrics"),
    ):
        status, _, _ = viewer.request(method, path, {"texts": ["x"]} if method == "POST" else None)
        assert status in (403, 404), (method, path, status)


def test_forged_headers_straight_to_the_alb_stand_in_are_refused(stack: Running) -> None:
    for headers in (
        {"X-Origin-Verify": "guessed-value-of-sixteen-chars"},
        {"X-Forwarded-For": "1.2.3.4", "CloudFront-Viewer-Address": "1.2.3.4:5"},
    ):
        connection = connect(stack.url, source="127.0.0.15")
        try:
            connection.request("GET", "/api/jobs", headers=headers)
            assert connection.getresponse().status == 301
        finally:
            connection.close()


def test_static_files_come_from_the_bucket_with_its_cache_control(stack: Running) -> None:
    viewer = Viewer(stack, "127.0.0.16")
    status, _, headers = viewer.request("GET", "/static/app.js")
    assert status == 200
    assert headers["cache-control"] == "public, max-age=86400"
    assert headers["x-cache"] == "Miss from cloudfront"
    assert viewer.request("POST", "/static/app.js", {})[0] == 403  # GET and HEAD only


def test_a_flood_of_anonymous_clients_leaves_match_answering(stack: Running) -> None:
    stop = threading.Event()
    flooded: list[int] = []

    def flood(address: str) -> None:
        viewer = Viewer(stack, address)
        while not stop.is_set():
            flooded.append(viewer.request("GET", f"/api/jobs?search=w{address}")[0])

    threads = [threading.Thread(target=flood, args=(f"127.0.1.{i}",)) for i in range(1, 13)]
    for thread in threads:
        thread.start()
    try:
        matcher = Viewer(stack, "127.0.0.17")
        answers = [
            matcher.request("POST", "/api/match", {"text": f"wind turbine {i}"})[0]
            for i in range(5)
        ]
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert flooded, "the flood sent nothing"
    assert answers == [200] * 5, answers


def test_the_cdn_answers_cloudfronts_502_when_the_origin_is_down(stack: Running) -> None:
    """Last in the module: it stops the ALB stand-in."""
    import os
    import signal

    nginx = stack.status()["services"]["nginx"]
    os.kill(nginx["pid"], signal.SIGQUIT)
    deadline = time.monotonic() + 20
    while stack.status()["services"]["nginx"]["healthy"]:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    began = time.monotonic()
    status, text, headers = Viewer(stack, "127.0.0.18").request("GET", "/api/jobs")
    assert status == 502
    assert "The request could not be satisfied" in text
    assert headers["x-cache"] == "Error from cloudfront"
    assert time.monotonic() - began < 12
