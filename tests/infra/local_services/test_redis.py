"""The stack's own redis-server: loopback, a password, nothing without it."""

from __future__ import annotations

import socket
from pathlib import Path

from infra.local_services import redis
from infra.local_services.processes import stop
from infra.ports import free_port
from tests.system_tools import require


def test_redis_answers_only_with_its_password(tmp_path: Path) -> None:
    require("redis-server")
    server = redis.start(tmp_path, free_port())
    try:
        assert redis.ping(server.port, server.password)
        assert not redis.ping(server.port, "wrong")
        with socket.create_connection(("127.0.0.1", server.port), timeout=2) as connection:
            connection.sendall(b"GET anything\r\n")
            assert connection.recv(100).startswith(b"-NOAUTH")
        assert redis.ping(server.port)  # alive (NOAUTH) is all --status needs
        assert server.password not in " ".join(server.child.process.args)  # type: ignore[arg-type]
        assert (tmp_path / "redis.conf").stat().st_mode & 0o777 == 0o600
        assert server.url(1).endswith(f"@127.0.0.1:{server.port}/1")
    finally:
        stop(server.child)
    assert not redis.ping(server.port)
