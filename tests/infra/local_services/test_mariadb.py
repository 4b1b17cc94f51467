"""The stack's own mariadbd: bootstrapped once, the app's account with a fresh password per
start, no root over TCP."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.local_services import mariadb
from infra.local_services.processes import stop
from infra.ports import free_port
from tests.system_tools import require


def log_in(port: int, user: str, password: str, database: str | None = None) -> None:
    import pymysql

    pymysql.connect(
        host="127.0.0.1", port=port, user=user, password=password, database=database,
        connect_timeout=2,
    ).close()  # fmt: skip


def test_mariadb_bootstraps_once_and_rotates_the_apps_password(tmp_path: Path) -> None:
    require("mariadbd")
    require("mariadb-install-db")
    pymysql = pytest.importorskip("pymysql")
    names = ("gm", "gm_shard_1")
    assert mariadb.bootstrap(tmp_path) is True
    server = mariadb.start(tmp_path, free_port(), names)
    try:
        for name in names:
            log_in(server.port, "gm", server.password, name)
        with pytest.raises(pymysql.err.OperationalError):
            log_in(server.port, "root", "")
        with pytest.raises(pymysql.err.OperationalError):
            log_in(server.port, "gm", "wrong")
        assert not (tmp_path / "init.sql").exists()  # the password is not left on disk
        assert mariadb.answers(server.port)
    finally:
        stop(server.child)
    assert not mariadb.answers(server.port)
    assert mariadb.bootstrap(tmp_path) is False  # kept: the next start reuses the data
    again = mariadb.start(tmp_path, free_port(), names)
    try:
        assert again.password != server.password
        log_in(again.port, "gm", again.password, "gm")
        with pytest.raises(pymysql.err.OperationalError):
            log_in(again.port, "gm", server.password, "gm")
    finally:
        stop(again.child)
