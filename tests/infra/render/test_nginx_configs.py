"""Every rendered nginx config passes ``nginx -t`` (real nginx, its own runtime dir)."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.render.nginx import NginxOptions, Tls, parse_server, render_nginx
from infra.render.userdata import NGINX_CONF, extract_files, render_userdata
from tests.infra.factories import ROLE_PHASES, context
from tests.system_tools import nginx_test

SERVERS = tuple(parse_server(s) for s in ("127.0.0.1:8001:3", "127.0.0.1:8002:3", "[::1]:8003:2"))


@pytest.mark.parametrize("kind", ["lb", "proxy"])
@pytest.mark.parametrize("with_tls", [False, True], ids=["http", "tls"])
def test_nginx_accepts(
    kind: str, with_tls: bool, nginx_dir: Path, tls_pair: tuple[Path, Path]
) -> None:
    cert, key = tls_pair
    options = NginxOptions(
        kind=kind,  # type: ignore[arg-type]
        servers=SERVERS,
        listen="127.0.0.1:18080",
        tls=Tls(str(cert), str(key)) if with_tls else None,
        tls_listen="127.0.0.1:18443",
        server_name="api.greenmatchers.com",
        runtime_dir=str(nginx_dir),
    )
    config = nginx_dir / "nginx.conf"
    config.write_text(render_nginx(options))
    result = nginx_test(config, nginx_dir)
    assert result.returncode == 0, result.stderr
    assert "warn" not in result.stderr, result.stderr


@pytest.mark.parametrize(("role", "phase", "service"), [r for r in ROLE_PHASES if r[0] != "worker"])
def test_instance_proxy_from_userdata_is_accepted(
    role: str, phase: int, service: str | None, nginx_dir: Path
) -> None:
    """The nginx.conf embedded in the user data, as written on the instance."""
    text = extract_files(render_userdata(context(role, phase, service)))[NGINX_CONF]
    for line in ("user www-data;", "pid /run/nginx.pid;"):
        assert line in text
    # Point the system paths at the test's runtime dir; nothing else changes.
    text = text.replace("user www-data;\n", "")
    text = text.replace("/run/nginx.pid", f"{nginx_dir}/nginx.pid")
    text = text.replace("/var/log/nginx", str(nginx_dir))
    config = nginx_dir / "nginx.conf"
    config.write_text(text)
    result = nginx_test(config, nginx_dir)
    assert result.returncode == 0, result.stderr
