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
CHARSET_MARKER = "gm-charset"  # in the data folder: the charset and collation it was made with


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


class DataFolderMismatch(ValueError):
    """The data folder was made with another character set than the Plan's."""


def bootstrap(folder: Path, charset: str = "", collation: str = "") -> bool:
    """Create the system tables in ``folder/data`` unless they exist; True when created.

    The folder records the character set and collation it is made for; a folder made for
    others (or before they were recorded: latin1 tables) is refused, since its tables would
    keep their old collation whatever the server's options say.
    """
    data = folder / "data"
    wanted = f"{charset} {collation}".strip()
    if (data / "mysql").is_dir():
        marker = data / CHARSET_MARKER
        found = marker.read_text().strip() if marker.exists() else "latin1 (not recorded)"
        if wanted and found != wanted:
            raise DataFolderMismatch(
                f"{data} holds databases made with {found}, not the Plan's {wanted}; "
                f"delete {folder} (the local stack's data) or pass another --state-dir"
            )
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
    if wanted:
        (scratch / CHARSET_MARKER).write_text(wanted + "\n")
    scratch.rename(data)  # only a complete bootstrap is ever used
    return True


def init_sql(
    password: str, databases: tuple[str, ...], charset: str = "", collation: str = ""
) -> str:
    """Databases and the app's account with this start's password (runs at every start)."""
    literal = password.replace("\\", "\\\\").replace("'", "\\'")
    default = (f" CHARACTER SET {charset}" if charset else "") + (
        f" COLLATE {collation}" if collation else ""
    )
    lines = [f"CREATE DATABASE IF NOT EXISTS `{name}`{default};" for name in databases]
    lines.append(f"CREATE USER IF NOT EXISTS '{USER}'@'127.0.0.1';")
    lines.append(f"ALTER USER '{USER}'@'127.0.0.1' IDENTIFIED BY '{literal}';")
    lines.extend(
        f"GRANT ALL PRIVILEGES ON `{name}`.* TO '{USER}'@'127.0.0.1';" for name in databases
    )
    return "\n".join(lines) + "\n"


def start(
    folder: Path,
    port: int,
    databases: tuple[str, ...],
    timeout: float = 60.0,
    *,
    options: tuple[str, ...] = (),
    charset: str = "",
    collation: str = "",
) -> MariaDB:
    """Start mariadbd on ``127.0.0.1:port`` with its socket in ``folder``; wait until it
    greets on the port (the init file has run by then: mariadbd runs it before it listens).
    ``options`` are further mariadbd options (the Plan's parameters); the databases are made
    with ``charset`` and ``collation``. The caller stops ``.child`` (SIGTERM: a clean
    shutdown)."""
    sock = folder / "mysqld.sock"
    if len(str(sock)) > SOCKET_PATH_MAX:
        raise ValueError(f"{sock} is longer than a unix socket path may be ({SOCKET_PATH_MAX})")
    password = secrets.token_urlsafe(24)
    init = folder / "init.sql"
    init.touch(mode=0o600)
    init.chmod(0o600)
    init.write_text(init_sql(password, databases, charset, collation))
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
            *(options or ("--max-connections=500",)),  # five services' pools, the migrations
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
