"""A private ``redis-server`` on a loopback port: a password of its own, nothing on disk."""

from __future__ import annotations

import secrets
import shutil
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from infra.local_services.processes import Child, spawn, stop, wait_until

REDIS_SERVER = "redis-server"


@dataclass
class Redis:
    child: Child
    port: int
    password: str

    def url(self, db: int) -> str:
        return f"redis://:{quote(self.password, safe='')}@127.0.0.1:{self.port}/{db}"


def missing() -> str | None:
    if shutil.which(REDIS_SERVER) is None:
        return f"{REDIS_SERVER} is not installed (apt-get install -y redis-server)"
    return None


def config(
    port: int, password: str, folder: Path, settings: tuple[tuple[str, str], ...] = ()
) -> str:
    """redis.conf; ``settings`` (the Plan's parameters) replace the defaults below."""
    chosen = dict((("maxmemory-policy", "noeviction"), *settings))
    return "\n".join(
        [
            "bind 127.0.0.1",
            "protected-mode yes",
            f"port {port}",
            f"requirepass {password}",
            'save ""',
            "appendonly no",
            f"dir {folder}",
            "daemonize no",
            # without the Plan's word: never evict (sessions may live here)
            *(f"{key} {value}" for key, value in chosen.items()),
            "",
        ]
    )


def start(
    folder: Path,
    port: int,
    timeout: float = 20.0,
    settings: tuple[tuple[str, str], ...] = (),
    name: str = "redis",
) -> Redis:
    """Start redis-server (the password in a 0600 file, not on the command line)."""
    folder.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(24)
    conf = folder / f"{name}.conf"
    conf.touch(mode=0o600)
    conf.chmod(0o600)
    conf.write_text(config(port, password, folder, settings))
    child = spawn(
        name,
        [str(shutil.which(REDIS_SERVER)), str(conf)],
        log=folder / f"{name}.log",
        port=port,
    )
    try:
        wait_until(lambda: ping(port, password), child, timeout, f"redis-server on port {port}")
    except BaseException:  # not ready, or Ctrl-C: nothing is left running
        stop(child)
        raise
    return Redis(child, port, password)


def ping(port: int, password: str | None = None) -> bool:
    """PING answers PONG; without a password an alive server answers NOAUTH, also true."""
    request = b"PING\r\n" if password is None else _command("AUTH", password) + b"PING\r\n"
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            connection.settimeout(1)
            connection.sendall(request)
            answer = b""
            while answer.count(b"\r\n") < (1 if password is None else 2):
                chunk = connection.recv(256)
                if not chunk:
                    break
                answer += chunk
    except OSError:
        return False
    if password is None:
        return answer.startswith((b"+PONG", b"-NOAUTH"))
    return answer == b"+OK\r\n+PONG\r\n"


def _command(*parts: str) -> bytes:
    encoded = [part.encode() for part in parts]
    return b"*%d\r\n" % len(encoded) + b"".join(
        b"$%d\r\n%s\r\n" % (len(part), part) for part in encoded
    )
