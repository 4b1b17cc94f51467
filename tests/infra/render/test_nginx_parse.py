"""The pure parts of the nginx renderer: addresses, weights, listen specs."""

from __future__ import annotations

import pytest

from infra.render.nginx import NginxOptions, Upstream, parse_listen, parse_server, render_nginx


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("10.0.1.10:8000", Upstream("10.0.1.10", 8000, 1)),
        ("10.0.1.10:8000:3", Upstream("10.0.1.10", 8000, 3)),
        ("app-1.internal:8001:2", Upstream("app-1.internal", 8001, 2)),
        ("[::1]:8002", Upstream("::1", 8002, 1)),
        ("[fd00::5]:8002:4", Upstream("fd00::5", 8002, 4)),
    ],
)
def test_parse_server(spec: str, expected: Upstream) -> None:
    assert parse_server(spec) == expected


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ("10.0.1.10", "HOST:PORT"),
        ("10.0.1.10:", "HOST:PORT"),
        ("10.0.1.10:8000:3:1", "HOST:PORT"),
        ("10.0.1.10:0", "port '0'"),
        ("10.0.1.10:70000", "port '70000'"),
        ("10.0.1.10:http", "port 'http'"),
        ("10.0.1.10:8000:0", "weight '0'"),
        ("10.0.1.10:8000:-1", "weight '-1'"),
        ("bad_host!:8000", "not an IP address or host name"),
        ("[::1:8000", "HOST:PORT"),
    ],
)
def test_parse_server_rejects(spec: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment.replace("(", r"\(")):
        parse_server(spec)


def test_upstream_address_brackets_ipv6() -> None:
    assert Upstream("::1", 80).address == "[::1]:80"
    assert Upstream("10.0.0.1", 80).address == "10.0.0.1:80"


def test_parse_listen() -> None:
    assert parse_listen("80") == "80"
    assert parse_listen("127.0.0.1:8080") == "127.0.0.1:8080"
    assert parse_listen("[::1]:8080") == "[::1]:8080"
    with pytest.raises(ValueError):
        parse_listen("99999")


def test_lb_has_the_source_documents_settings() -> None:
    servers = tuple(parse_server(s) for s in ("10.0.1.10:8000:3", "10.0.1.11:8000:2"))
    text = render_nginx(NginxOptions(kind="lb", servers=servers))
    upstream = text[text.index("upstream green_matchers_api") :].split("}")[0]
    assert "least_conn;" in upstream
    assert "server 10.0.1.10:8000 weight=3" in upstream
    assert "server 10.0.1.11:8000 weight=2" in upstream
    assert "keepalive 32;" in upstream
    for timeout in ("connect", "send", "read"):
        assert f"proxy_{timeout}_timeout 60s;" in text
    for header in ("Host $host", "X-Real-IP $remote_addr", "X-Forwarded-For", "X-Forwarded-Proto"):
        assert f"proxy_set_header {header}" in text
    assert "proxy_next_upstream error timeout" in text
    # The source document's constant "Connection 'upgrade'" would defeat upstream keepalive.
    assert "proxy_set_header Connection $connection_upgrade;" in text
    assert "X-Content-Type-Options nosniff" in text
    assert "ssl_certificate" not in text


def test_proxy_takes_client_address_from_the_alb() -> None:
    text = render_nginx(NginxOptions(kind="proxy", servers=(parse_server("127.0.0.1:8001"),)))
    assert "listen 8000 default_server;" in text
    assert "real_ip_header X-Forwarded-For;" in text
    assert "set_real_ip_from 10.0.0.0/8;" in text
    assert "location = /health" in text
    assert "limit_req zone=gm_per_client" in text
    assert "client_max_body_size 10m;" in text
    assert "gzip on;" in text
    health = text[text.index("location = /health") :].split("}")[0]
    assert "limit_req" not in health  # the ALB's health checks are never rate limited


@pytest.mark.parametrize("kind", ["lb", "proxy"])
def test_slow_clients_get_10_s_for_headers_and_between_body_reads(kind: str) -> None:
    text = render_nginx(NginxOptions(kind=kind, servers=(parse_server("127.0.0.1:8001"),)))
    http = text[text.index("http {") :]
    assert "client_header_timeout 10s;" in http
    assert "client_body_timeout 10s;" in http


def test_same_options_same_bytes() -> None:
    options = NginxOptions(kind="lb", servers=(parse_server("10.0.0.1:80"),))
    assert render_nginx(options) == render_nginx(options)
