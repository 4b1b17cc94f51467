"""Two throwaway MariaDB servers on spare ports: a primary and a replica replicating from it."""

from __future__ import annotations

import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pymysql

from tests.system_tools import free_port

INSTALL_DB = "mariadb-install-db"
MARIADBD = "/usr/sbin/mariadbd"


def available() -> str | None:
    """None when the binaries are there, else what is missing."""
    for binary in (INSTALL_DB, MARIADBD):
        if shutil.which(binary) is None:
            return f"{binary} is not installed (apt-get install -y mariadb-server)"
    return None


@dataclass
class Server:
    datadir: Path
    port: int
    server_id: int
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def start(self) -> None:
        log = open(self.datadir.parent / f"server{self.server_id}.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                MARIADBD,
                "--no-defaults",
                f"--datadir={self.datadir}",
                f"--port={self.port}",
                f"--socket={self.datadir}/mysqld.sock",
                f"--pid-file={self.datadir}/mysqld.pid",
                "--bind-address=127.0.0.1",
                f"--server-id={self.server_id}",
                "--log-bin=mysql-bin",
                "--binlog-format=ROW",
                "--innodb-buffer-pool-size=32M",
                "--skip-name-resolve",
                "--user=root",
            ],
            stdout=log,
            stderr=log,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                self.connect().close()
                return
            except pymysql.err.OperationalError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"mariadbd on port {self.port} did not start") from None
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.process = None

    def connect(self, database: str | None = None) -> pymysql.Connection:  # type: ignore[type-arg]
        return pymysql.connect(
            host="127.0.0.1", port=self.port, user="root", password="", database=database,
            autocommit=True, connect_timeout=2,
        )  # fmt: skip

    def url(self, database: str) -> str:
        return f"mysql+pymysql://root:@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str) -> list[tuple[object, ...]]:
        connection = self.connect()
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql)
                return list(cursor.fetchall())
        finally:
            connection.close()


@dataclass
class Pair:
    primary: Server
    replica: Server

    def wait_for_replica(self, timeout: float = 20) -> None:
        """Until the replica has applied everything the primary has written."""
        gtid = self.primary.execute("SELECT @@gtid_binlog_pos")[0][0]
        rows = self.replica.execute(f"SELECT MASTER_GTID_WAIT('{gtid}', {timeout})")
        if rows[0][0] != 0:
            raise RuntimeError(f"replica did not reach {gtid} within {timeout}s")

    def stop(self) -> None:
        self.replica.stop()
        self.primary.stop()


def install_template(root: Path, attempts: int = 2) -> Path:
    """A bootstrapped data folder. Seen once with both cores saturated (stress-ng):
    mariadb-install-db exited 1 with its output swallowed. It is setup, not what the tests
    assert, so a failed attempt is retried once in a fresh folder, and the last failure
    raises with mariadb-install-db's own output."""
    failure = ""
    for attempt in range(attempts):
        template = root / f"template-{attempt}"
        done = subprocess.run(
            [INSTALL_DB, "--no-defaults", f"--datadir={template}", "--user=root",
             "--auth-root-authentication-method=normal", "--skip-test-db"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode == 0:
            return template
        failure = (done.stdout + done.stderr).strip()[-2000:]
        shutil.rmtree(template, ignore_errors=True)
    raise RuntimeError(f"mariadb-install-db failed {attempts} times; last output:\n{failure}")


def start_pair(root: Path) -> Pair:
    template = install_template(root)
    shutil.copytree(template, root / "primary")
    shutil.copytree(template, root / "replica")
    primary = Server(root / "primary", free_port(), 1)
    replica = Server(root / "replica", free_port(), 2)
    primary.start()
    replica.start()
    # root@127.0.0.1 with an empty password exists after install-db with normal auth
    replica.execute(
        f"CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT={primary.port}, "
        "MASTER_USER='root', MASTER_PASSWORD='', MASTER_USE_GTID=slave_pos"
    )
    replica.execute("START SLAVE")
    return Pair(primary, replica)
