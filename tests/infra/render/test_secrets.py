"""No secret appears in any rendered output: only ARNs, host names and file paths."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from infra.render.nginx import NginxOptions, Tls, parse_server, render_nginx
from infra.render.userdata import extract_files, render_userdata
from tests.infra.factories import ROLE_PHASES, context

HELPER = "/opt/green-matchers/bin/gm-boot"

LEAKS = {
    "credentials in a URL": re.compile(r"[a-z+]+://[^\s/:@\"']*:[^\s/@\"']+@"),
    "a private key": re.compile(r"BEGIN [A-Z ]*PRIVATE KEY"),
    "an AWS access key": re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),
    "an assignment of a secret": re.compile(
        r"(PASSWORD|AUTH_TOKEN|SESSION_SECRET|SECRET_KEY)\s*[=:]\s*\S", re.IGNORECASE
    ),
}


def without_helper(script: str) -> str:
    """The script minus gm-boot's code, which spells ``password: str`` but holds no values.

    gm-boot travels gzipped; its source is checked against the repository's elsewhere.
    """
    return script.replace(extract_files(script)[HELPER], "")


def leaks(text: str) -> list[str]:
    return [name for name, pattern in LEAKS.items() if pattern.search(text)]


def test_the_scanner_finds_what_it_looks_for() -> None:
    assert leaks("DATABASE_URL=mariadb+pymysql://u:hunter2@db:3306/x") == ["credentials in a URL"]
    assert leaks("rediss://:tok@cache:6379/0") == ["credentials in a URL"]
    assert leaks("SESSION_SECRET=abc") == ["an assignment of a secret"]
    assert leaks("-----BEGIN RSA PRIVATE KEY-----") == ["a private key"]


@pytest.mark.parametrize(("role", "phase", "service"), ROLE_PHASES)
def test_userdata_holds_no_secrets(role: str, phase: int, service: str | None) -> None:
    script = without_helper(render_userdata(context(role, phase, service)))
    assert leaks(script) == []
    for path, content in extract_files(script).items():
        if path != HELPER:
            assert leaks(content) == [], path


def test_nginx_configs_hold_no_secrets(tls_pair: tuple[Path, Path]) -> None:
    cert, key = tls_pair
    for kind in ("lb", "proxy"):
        text = render_nginx(
            NginxOptions(
                kind=kind,  # type: ignore[arg-type]
                servers=(parse_server("10.0.0.1:8000"),),
                tls=Tls(str(cert), str(key)),
            )
        )
        assert leaks(text) == []
        assert key.read_text().splitlines()[1] not in text


def test_cli_json_holds_no_secrets() -> None:
    runner = CliRunner()
    for args in (
        ["render", "userdata", "--role", "api", "--phase", "3", "--json"],
        ["render", "nginx", "--server", "10.0.0.1:8000", "--json"],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 0
        body = json.loads(result.stdout)
        assert leaks(without_helper(body["text"]) if "units" in body else body["text"]) == []
