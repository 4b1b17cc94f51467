"""One identity per e-mail on every backend: after an account is locked, no case, accent
or width variant of its e-mail logs in or gets another guess; registering a variant
changes nothing. On SQLite and on MariaDB with the RDS parameter group's collation
(``utf8mb4_unicode_ci``, which folds case and accents on its own)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pymysql
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.core.email_identity import canonical_email
from app.core.settings import Settings
from app.main import create_app
from app.models import User
from tests.app.conftest import (
    MARIADB_HOST,
    MARIADB_PORT,
    PASSWORD,
    drop_databases,
    embedded_settings,
    mariadb_url,
    need_service,
)

WRONG = "not-the-password-at-all-9"


def create_unicode_ci_database(name: str) -> None:
    connection = pymysql.connect(host=MARIADB_HOST, port=MARIADB_PORT, user="root", password="")
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
            )
    finally:
        connection.close()


@pytest.fixture(params=["sqlite", "mariadb-unicode-ci"])
def client(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TestClient]:
    if request.param == "sqlite":
        settings = embedded_settings(tmp_path, demo_jobs_per_sdg=0)
        name = None
    else:
        need_service("MariaDB", MARIADB_HOST, MARIADB_PORT)
        name = f"gm_email_{uuid.uuid4().hex[:10]}"
        create_unicode_ci_database(name)
        settings = Settings(
            app_env="local",
            data_dir=tmp_path,
            database_url=mariadb_url(name),
            redis_url="",
            demo_jobs_per_sdg=0,
            embed_mode="inline",
        )
    with TestClient(create_app(settings)) as test_client:
        yield test_client
    if name:
        drop_databases(name)


def variants(local: str) -> list[str]:
    """Case, accent and width spellings of ``local``@example.org (``local`` starts
    "employer")."""
    rest = local.removeprefix("employer")
    return [
        f"Employer{rest}@example.org",
        f"EMPLOYER{rest.upper()}@EXAMPLE.ORG",
        f"émployer{rest}@example.org",
        f"èmployer{rest}@example.org",
        f"emplõyer{rest}@example.org",
        f"ÉMPLÖYER{rest}@exämple.org",
        f"e\u0301mployer{rest}@example.org",  # a combining accent
        f"\uff45mployer{rest}@example.org",  # a full-width e
    ]


def register(client: TestClient, email: str, password: str = PASSWORD) -> None:
    body = {"email": email, "password": password, "role": "candidate"}
    answer = client.post("/api/auth/register", json=body)
    assert answer.status_code == 201, answer.text


def login(client: TestClient, email: str, password: str) -> int:
    answer = client.post("/api/auth/login", json={"email": email, "password": password})
    return answer.status_code


def test_after_the_lock_no_variant_logs_in_or_gets_another_guess(client: TestClient) -> None:
    local = f"employer{uuid.uuid4().hex[:8]}"
    email = f"{local}@example.org"
    register(client, email)
    codes = [login(client, email, WRONG) for _ in range(7)]
    assert codes == [401] * 5 + [429] * 2
    for variant in variants(local):
        assert login(client, variant, PASSWORD) == 429, variant  # the right password
        assert login(client, variant, WRONG) == 429, variant  # no fresh guesses
    assert login(client, email, PASSWORD) == 429


def test_a_variant_is_the_same_account_everywhere(client: TestClient) -> None:
    local = f"employer{uuid.uuid4().hex[:8]}"
    email = f"{local}@example.org"
    register(client, email)
    for variant in variants(local):
        register(client, variant, password=f"another-{uuid.uuid4().hex}")  # changes nothing
        assert login(client, variant, PASSWORD) == 200, variant  # the one account
    database = client.app.state.gm.database  # type: ignore[attr-defined]
    with database.write_session() as session:
        count = session.scalar(
            select(func.count(User.id)).where(User.email_canonical == canonical_email(email))
        )
        stored = session.scalar(
            select(User.email).where(User.email_canonical == canonical_email(email))
        )
    assert count == 1
    assert stored == email  # the spelling it was registered with


def test_different_addresses_stay_different_accounts(client: TestClient) -> None:
    """Folding stops at case, accents and width: a Cyrillic look-alike or another letter
    is another address (another account), as on the RDS collation."""
    local = f"employer{uuid.uuid4().hex[:8]}"
    register(client, f"{local}@example.org")
    other = f"\u0435mployer{local.removeprefix('employer')}@example.org"  # Cyrillic ie
    register(client, other, password=f"another-{uuid.uuid4().hex}")
    assert login(client, other, PASSWORD) == 401


def test_canonical_form() -> None:
    assert canonical_email("ÉMPLÕYER@Exämple.ORG") == "employer@example.org"
    assert canonical_email("strasse@x.de") == canonical_email("STRAẞE@x.de".replace("ẞ", "ß"))
    assert canonical_email("\uff45@x.org") == "e@x.org"
