"""A private ``mariadbd``: bootstrapped once into a folder, on a loopback port of its own.

The data folder is kept between runs (the next start skips bootstrap, migrations find
nothing to do and the demo data is already there). root can only log in through the unix
socket as the OS user (``unix_socket`` auth); the app's account ``gm@127.0.0.1`` gets a new
random password at every start, through an init file that is deleted once the server is up.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from infra.local_services.processes import Child, spawn, stop, wait_until

INSTALL_DB = "mariadb-install-db"
MARIADBD = "mariadbd"
USER = "gm"
SOCKET_PATH_MAX = 107  # sun_path is 108 bytes with the terminating NUL


@dataclass
class MariaDB:
    child: Child
    port: int
    password: str
    databases: tuple[str, ...]

    def url(self, database: str) -> str:
        secret = quote(self.password, safe="")
        return f"mysql+pymysql://{USER}:{secret}@127.0.0.1:{self.port}/{database}"


def missing() -> str | None:
    """None when the binaries are installed, else what to install."""
    for binary in (INSTALL_DB, MARIADBD):
        if _which(binary) is None:
            return f"{binary} is not installed (apt-get install -y mariadb-server)"
    return None


def _which(binary: str) -> str | None:
    return shutil.which(binary) or shutil.which(binary, path="/usr/sbin:/sbin")


def _os_user() -> list[str]:
    """``--user=root`` when root (mariadbd refuses to run as root otherwise), else nothing."""
    return ["--user=root"] if os.geteuid() == 0 else []


def bootstrap(folder: Path) -> bool:
    """Create the system tables in ``folder/data`` unless they exist; True when created."""
    data = folder / "data"
    if (data / "mysql").is_dir():
        return False
    folder.mkdir(parents=True, exist_ok=True)
    scratch = folder / "data.new"
    shutil.rmtree(scratch, ignore_errors=True)
    result = subprocess.run(
        [
            str(_which(INSTALL_DB)),
            "--no-defaults",
            f"--datadir={scratch}",
            *_os_user(),
            "--auth-root-authentication-method=socket",
            "--skip-test-db",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{INSTALL_DB} failed: {(result.stderr or result.stdout)[-2000:]}")
    scratch.rename(data)  # only a complete bootstrap is ever used
    return True


def init_sql(password: str, databases: tuple[str, ...]) -> str:
    """Databases and the app's account with this start's password (runs at every start)."""
    literal = password.replace("\\", "\\\\").replace("'", "\\'")
    lines = [f"CREATE DATABASE IF NOT EXISTS `{name}`;" for name in databases]
    lines.append(f"CREATE USER IF NOT EXISTS '{USER}'@'127.0.0.1';")
    lines.append(f"ALTER USER '{USER}'@'127.0.0.1' IDENTIFIED BY '{literal}';")
    lines.extend(
        f"GRANT ALL PRIVILEGES ON `{name}`.* TO '{USER}'@'127.0.0.1';" for name in databases
    )
    return "\n".join(lines) + "\n"


def start(folder: Path, port: int, databases: tuple[str, ...], timeout: float = 60.0) -> MariaDB:
    """Start mariadbd on ``127.0.0.1:port`` with its socket in ``folder``; wait until it
    greets on the port (the init file has run by then: mariadbd runs it before it listens).
    The caller stops ``.child`` (SIGTERM: a clean shutdown)."""
    sock = folder / "mysqld.sock"
    if len(str(sock)) > SOCKET_PATH_MAX:
        raise ValueError(f"{sock} is longer than a unix socket path may be ({SOCKET_PATH_MAX})")
    password = secrets.token_urlsafe(24)
    init = folder / "init.sql"
    init.touch(mode=0o600)
    init.chmod(0o600)
    init.write_text(init_sql(password, databases))
    child = spawn(
        "mariadb",
        [
            str(_which(MARIADBD)),
            "--no-defaults",
            f"--datadir={folder / 'data'}",
            f"--port={port}",
            "--bind-address=127.0.0.1",
            f"--socket={sock}",
            f"--pid-file={folder / 'mysqld.pid'}",
            f"--init-file={init}",
            "--skip-name-resolve",
            "--innodb-buffer-pool-size=128M",
            "--max-connections=500",  # five services with their pools, and the migrations
            *_os_user(),
        ],
        log=folder / "mariadb.log",
        port=port,
    )
    try:
        wait_until(lambda: answers(port), child, timeout, f"mariadbd on port {port}")
    except BaseException:  # not ready, or Ctrl-C: nothing is left running
        stop(child)
        raise
    finally:
        init.unlink(missing_ok=True)
    return MariaDB(child, port, password, databases)


def answers(port: int) -> bool:
    """Something on ``port`` sends a MySQL greeting (no log-in: no password needed)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            connection.settimeout(1)
            return len(connection.recv(5)) == 5
    except OSError:
        return False
