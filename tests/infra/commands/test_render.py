"""``gm-infra render nginx|userdata`` through typer's CliRunner."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from infra.render.userdata import USERDATA_LIMIT
from tests.system_tools import nginx_test, require

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["render", *args])
    return result.exit_code, result.stdout, result.stderr


def test_nginx_as_a_new_user_tries_it(nginx_dir: Path) -> None:
    """The issue's example, plus only what it takes to run it unprivileged."""
    code, out, _ = run("nginx", "--server", "127.0.0.1:8001", "--server", "127.0.0.1:8002:2")
    assert code == 0
    assert "server 127.0.0.1:8001 weight=1" in out and "server 127.0.0.1:8002 weight=2" in out
    code, out, _ = run(
        *("nginx", "--server", "127.0.0.1:8001", "--server", "127.0.0.1:8002:2"),
        *("--listen", "127.0.0.1:18081", "--runtime-dir", str(nginx_dir)),
    )
    config = nginx_dir / "nginx.conf"
    config.write_text(out)
    result = nginx_test(config, nginx_dir)
    assert result.returncode == 0, result.stderr


def test_nginx_json_and_out(tmp_path: Path) -> None:
    code, out, _ = run("nginx", "--server", "10.0.1.10:8000:3", "--json")
    body = json.loads(out)
    assert code == 0
    assert body["kind"] == "lb" and body["servers"] == [{"address": "10.0.1.10:8000", "weight": 3}]
    assert body["bytes"] == len(body["text"].encode()) and body["out"] is None
    target = tmp_path / "lb.conf"
    code, out, err = run("nginx", "--server", "10.0.1.10:8000", "--out", str(target))
    assert code == 0 and out == "" and f"wrote {target}" in err
    assert "least_conn;" in target.read_text()


def test_nginx_proxy_kind_defaults_to_the_local_app() -> None:
    code, out, _ = run("nginx", "--kind", "proxy")
    assert code == 0
    assert "server 127.0.0.1:8001 weight=1;" in out and "listen 8000 default_server;" in out


def test_nginx_tls_paths_only(tls_pair: tuple[Path, Path]) -> None:
    cert, key = tls_pair
    code, out, _ = run(
        "nginx", "--server", "10.0.0.1:80", "--tls-cert", str(cert), "--tls-key", str(key)
    )
    assert code == 0
    assert f"ssl_certificate_key {key};" in out and "listen 443 ssl http2;" in out
    assert "PRIVATE KEY" not in out and key.read_text().splitlines()[1] not in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nginx", "--server", "10.0.0.1"], "is not HOST:PORT"),
        (["nginx", "--server", "10.0.0.1:99999"], "not a number from 1 to 65535"),
        (["nginx", "--server", "10.0.0.1:80:0"], "weight '0'"),
        (["nginx", "--server", "not a host:80"], "not an IP address or host name"),
        (["nginx"], "no upstream server"),
        (["nginx", "--server", "a:1", "--kind", "edge"], "--kind 'edge'"),
        (
            ["nginx", "--server", "a:1", "--tls-cert", "/no/cert.pem", "--tls-key", "/no/key.pem"],
            "no such file",
        ),
        (["nginx", "--server", "a:1", "--tls-cert", "/no/cert.pem"], "go together"),
        (["nginx", "--server", "a:1", "--listen", "0"], "listen port"),
        (["userdata", "--role", "db", "--phase", "2"], "--role 'db'"),
        (["userdata", "--role", "api", "--phase", "7"], "--phase 7"),
        (["userdata", "--role", "worker", "--phase", "1"], "phase 1 has no worker"),
        (["userdata", "--role", "service", "--phase", "4"], "--service NAME"),
        (["userdata", "--role", "api", "--phase", "2", "--service", "x"], "--role service only"),
        (["userdata", "--role", "api", "--phase", "2", "--region", "mars"], "region 'mars'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str) -> None:
    code, out, err = run(*args)
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert lines[0].startswith("error: ") and message in lines[0], err
    assert len(lines) <= 2 and "Traceback" not in err


def test_userdata_as_a_new_user_tries_it() -> None:
    shellcheck = require("shellcheck")
    code, out, _ = run("userdata", "--role", "api", "--phase", "2")
    assert code == 0 and out.startswith("#!/bin/bash\n")
    result = subprocess.run([shellcheck, "-"], input=out, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_userdata_json() -> None:
    code, out, _ = run(
        *("userdata", "--role", "service", "--phase", "4", "--service", "matching", "--json"),
        *("--artifact-key", "app/green-matchers-app-1.2.3.tar.gz"),
    )
    body = json.loads(out)
    assert code == 0
    # matching sees shard 0 only: the fleets that reach every database migrate
    assert body["units"] == ["green-matchers-api.service"]
    assert body["limit"] == USERDATA_LIMIT and body["bytes"] < USERDATA_LIMIT
    assert "/etc/nginx/nginx.conf" in body["files"]
    assert "app/green-matchers-app-1.2.3.tar.gz" in body["text"]
    assert re.search(r'"service_name":"matching"', body["text"])
