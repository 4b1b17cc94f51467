"""Who an employer account belongs to: founding a new employer, joining by invitation only."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text, update
from sqlalchemy.orm import Session

from app.core.db import make_engine
from app.core.settings import Settings
from app.core.text import name_key
from app.migrate import upgrade_engine
from app.models import EmployerInvitation
from app.models.base import utcnow
from app.services import employers
from tests.app.conftest import (
    PASSWORD,
    RUN_ID,
    Api,
    drop_databases,
    mariadb_url,
    need_service,
    recreate_databases,
    unique_email,
)

JOB = {
    "title": "Offshore wind technician",
    "description": "Keep the turbines turning.",
    "sdg_tag": 7,
    "salary_min": 40_000,
    "salary_max": 50_000,
    "location": "Esbjerg",
}


def register(api: Api, **body: object) -> tuple[TestClient, int]:
    client = api.new_client()
    email = str(body.pop("email", unique_email("emp")))
    answer = client.post("/api/auth/register", json={"email": email, "password": PASSWORD, **body})
    if answer.status_code == 201:
        login = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
        assert login.status_code == 200, login.text
    return client, answer.status_code


def found(api: Api, name: str) -> TestClient:
    client, status = register(api, role="employer", employer_name=name)
    assert status == 201
    return client


@pytest.mark.parametrize(
    "variant",
    [
        "{}",  # the very name
        "{upper}",  # another case
        "  {lower}  ",  # spaces around
        "{accented}",  # accents added
        "{fullwidth}",  # full-width letters (NFKC folds them)
        "{punctuated}",  # punctuation and spacing changed
        "{cyrillic}",  # Cyrillic look-alike letters (homoglyphs)
        "{greek}",  # a Greek capital that looks like a Latin one
        "{digits}",  # digits standing in for letters
    ],
)
def test_no_variant_of_an_existing_employer_name_can_be_registered(api: Api, variant: str) -> None:
    tag = uuid.uuid4().hex[:6]
    name = f"Tidal Kelp Farms {tag}"
    owner = found(api, name)
    spelled = variant.format(
        name,
        upper=name.upper(),
        lower=name.lower(),
        accented=f"Tídäl Kélp Fárms {tag}",
        fullwidth="".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in name),
        punctuated=f"tidal-kelp, farms. {tag}",
        cyrillic=f"Tid\u0430l K\u0435lp F\u0430rms {tag}",  # Cyrillic a and ie
        greek=f"Tidal \u039aelp Farms {tag}",  # Greek capital kappa
        digits=f"Tida1 Kelp Farms {tag}",
    )
    client, status = register(api, role="employer", employer_name=spelled)
    assert status == 409
    assert client.post("/api/jobs", json=JOB).status_code == 401  # no account was made
    assert owner.post("/api/jobs", json=JOB).status_code == 201


def test_same_email_domain_gives_no_membership(api: Api) -> None:
    domain = f"seagrass-{uuid.uuid4().hex[:6]}.example"
    first = found(api, f"Seagrass Restoration {domain}")
    second, status = register(
        api,
        email=f"newcomer@{domain}",
        role="employer",
        employer_name=f"Another Org {uuid.uuid4().hex[:6]}",
    )
    assert status == 201
    assert (
        first.get("/api/auth/me").json()["employer_id"]
        != (second.get("/api/auth/me").json()["employer_id"])
    )


def test_an_employer_account_needs_a_name_or_an_invitation(api: Api) -> None:
    _, without = register(api, role="employer")
    _, both = register(api, role="employer", employer_name="X Co", invitation="a" * 43)
    _, candidate_with_name = register(api, role="candidate", employer_name="Y Co")
    _, punctuation_only = register(api, role="employer", employer_name="!!! ...")
    assert without == both == candidate_with_name == punctuation_only == 422


def test_members_invite_and_the_invited_join_once(api: Api) -> None:
    owner = found(api, f"Peat Bog Rewetting {uuid.uuid4().hex[:6]}")
    employer_id = owner.get("/api/auth/me").json()["employer_id"]
    issued = owner.post("/api/employers/invitations")
    assert issued.status_code == 201
    token = issued.json()["token"]
    assert issued.json()["employer_id"] == employer_id

    newcomer, status = register(api, role="employer", invitation=token)
    assert status == 201
    assert newcomer.get("/api/auth/me").json()["employer_id"] == employer_id
    posted = newcomer.post("/api/jobs", json=JOB)
    assert posted.status_code == 201 and posted.json()["employer"]["id"] == employer_id

    _, reused = register(api, role="employer", invitation=token)
    _, forged = register(api, role="employer", invitation="A" * 43)
    assert reused == forged == 403


def test_only_members_issue_invitations(api: Api) -> None:
    candidate, _ = api.login_as("candidate")
    assert candidate.post("/api/employers/invitations").status_code == 403
    assert api.new_client().post("/api/employers/invitations").status_code == 401


def test_an_expired_invitation_is_refused(api: Api) -> None:
    owner = found(api, f"Mangrove Nursery {uuid.uuid4().hex[:6]}")
    token = owner.post("/api/employers/invitations").json()["token"]
    database = api.client.app.state.gm.database  # type: ignore[attr-defined]
    with database.write_session() as session:
        session.execute(
            update(EmployerInvitation)
            .where(EmployerInvitation.used_at.is_(None))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        session.commit()
    _, status = register(api, role="employer", invitation=token)
    assert status == 403


def test_concurrent_registrations_of_one_new_employer_one_wins(api: Api) -> None:
    name = f"Rooftop Solar Coop {uuid.uuid4().hex[:6]}"
    statuses: list[int] = []
    barrier = threading.Barrier(4)

    def attempt(variant: str) -> None:
        client = api.new_client()
        barrier.wait()
        body = {
            "email": unique_email("race"),
            "password": PASSWORD,
            "role": "employer",
            "employer_name": variant,
        }
        statuses.append(client.post("/api/auth/register", json=body).status_code)

    variants = [name, name.upper(), name.lower(), f" {name} "]
    threads = [threading.Thread(target=attempt, args=(v,)) for v in variants]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201, 409, 409, 409]


@pytest.mark.parametrize("backend", ["sqlite", "mariadb"])
def test_the_migration_keys_existing_look_alike_employers(backend: str, tmp_path: Path) -> None:
    """Employers made before 0002 that differ only in spelling keep their rows; the upgrade
    gives each a distinct key and the plain key blocks new registrations of the name."""
    if backend == "mariadb":
        need_service("MariaDB", "127.0.0.1", 3306)
        name = f"gm_test_keys_{RUN_ID}"
        recreate_databases(name)
        url = mariadb_url(name)
    else:
        url = f"sqlite:///{tmp_path / 'keys.db'}"
    engine = make_engine(url, Settings())
    try:
        upgrade_engine(engine, "0001")
        with engine.begin() as connection:
            for employer in ("Acme Wind", "Acme-Wind", "ACME, Wind."):
                connection.execute(
                    text(
                        "INSERT INTO employers (name, description, created_at) "
                        "VALUES (:name, '', CURRENT_TIMESTAMP)"
                    ),
                    {"name": employer},
                )
        upgrade_engine(engine)
        with engine.connect() as connection:
            keys = connection.execute(text("SELECT name_key FROM employers ORDER BY id")).all()
        assert len({key for (key,) in keys}) == 3
        assert keys[0][0] == name_key("acme wind")
        with Session(engine) as session, pytest.raises(employers.EmployerNameTaken):
            employers.create_employer(session=session, name="acme  wind")
    finally:
        engine.dispose()
        if backend == "mariadb":
            drop_databases(name)


@pytest.mark.parametrize("backend", ["sqlite", "mariadb"])
def test_the_migration_rekeys_look_alikes_of_other_scripts(backend: str, tmp_path: Path) -> None:
    """A database keyed before 0004: a Cyrillic look-alike (older) and the ASCII name
    (newer, holding the plain key) both stay; the oldest gets the plain key, the name
    stays blocked, and the swap does not trip the unique key."""
    if backend == "mariadb":
        need_service("MariaDB", "127.0.0.1", 3306)
        name = f"gm_test_rekey_{RUN_ID}"
        recreate_databases(name)
        url = mariadb_url(name)
    else:
        url = f"sqlite:///{tmp_path / 'rekey.db'}"
    engine = make_engine(url, Settings())
    look_alike, plain = "H\u0435lios Wind", "Helios Wind"  # a Cyrillic ie
    try:
        upgrade_engine(engine, "0003_shard_map")
        with engine.begin() as connection:
            for employer, old_key in ((look_alike, "a" * 64), (plain, name_key(plain))):
                connection.execute(
                    text(
                        "INSERT INTO employers (name, name_key, description, created_at) "
                        "VALUES (:name, :key, '', CURRENT_TIMESTAMP)"
                    ),
                    {"name": employer, "key": old_key},
                )
        upgrade_engine(engine)
        with engine.connect() as connection:
            keys = connection.execute(text("SELECT name_key FROM employers ORDER BY id")).all()
        assert keys[0][0] == name_key(plain) != keys[1][0]
        with Session(engine) as session, pytest.raises(employers.EmployerNameTaken):
            employers.create_employer(session=session, name="HELI0S wind")
    finally:
        engine.dispose()
        if backend == "mariadb":
            drop_databases(name)
