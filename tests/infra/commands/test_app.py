from __future__ import annotations

import socket
from typing import Any

import pytest
import uvicorn
from typer.testing import CliRunner

from app.core.http_protocol import MAX_HEADER_BYTES, BoundedH11Protocol
from cli import app as root
from infra.ports import free_port


def test_serve_runs_the_app_factory(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda target, **kw: calls.append({"target": target, **kw}))
    monkeypatch.delenv("APP_ENV", raising=False)
    port = free_port()  # from the OS: a fixed one may be taken by a parallel test
    result = CliRunner().invoke(root, ["app", "serve", "--port", str(port), "--host", "127.0.0.1"])
    assert result.exit_code == 0, result.output
    assert calls == [
        {
            "target": "app.main:create_app",
            "factory": True,
            "host": "127.0.0.1",
            "port": port,
            "workers": 1,
            "proxy_headers": True,
            "log_level": "info",
            "http": BoundedH11Protocol,  # head size and header-read deadline (no nginx)
            "h11_max_incomplete_event_size": MAX_HEADER_BYTES,
        }
    ]


def test_serve_refuses_a_busy_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: pytest.fail("must not start"))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(root, ["app", "serve", "--port", str(port)])
    assert result.exit_code == 2
    assert "already in use" in result.output


def test_serve_names_a_bad_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: pytest.fail("must not start"))
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", "mysql+pymysql://u@h/db")
    result = CliRunner().invoke(root, ["app", "serve"])
    assert result.exit_code == 2
    assert "SESSION_SECRET" in result.output
