"""A single-use invitation is used once under concurrency, on SQLite and on MariaDB: of
many registrations racing with one invitation, one joins; the others get 403 and leave
no user behind (nothing half-applied)."""

from __future__ import annotations

import threading
import uuid

from sqlalchemy import func, select

from app.models import EmployerInvitation, User
from tests.app.conftest import PASSWORD, Api, unique_email

RACERS = 8


def test_one_invitation_joins_one_account_under_a_race(api: Api) -> None:
    owner, _ = api.login_as("employer", employer_name=f"Invite Race {uuid.uuid4().hex[:8]}")
    token = owner.post("/api/employers/invitations").json()["token"]
    emails = [unique_email("invited") for _ in range(RACERS)]
    statuses: dict[str, int] = {}
    barrier = threading.Barrier(RACERS)

    def join(email: str) -> None:
        client = api.new_client()
        body = {"email": email, "password": PASSWORD, "role": "employer", "invitation": token}
        barrier.wait()
        statuses[email] = client.post("/api/auth/register", json=body).status_code

    threads = [threading.Thread(target=join, args=(email,)) for email in emails]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(statuses.values()) == [201] + [403] * (RACERS - 1), statuses
    (winner,) = [email for email, status in statuses.items() if status == 201]
    database = api.client.app.state.gm.database  # type: ignore[attr-defined]
    with database.write_session() as session:
        users = session.execute(select(User.email, User.id).where(User.email.in_(emails))).all()
        invitation = session.scalar(
            select(EmployerInvitation).order_by(EmployerInvitation.id.desc()).limit(1)
        )
        used = session.scalar(
            select(func.count(EmployerInvitation.id)).where(
                EmployerInvitation.used_by == users[0][1] if users else False
            )
        )
    assert [email for email, _ in users] == [winner]  # the losers left no account
    assert invitation is not None and invitation.used_by == users[0][1] and used == 1
    losers = [email for email in emails if email != winner]
    for email in losers:  # and cannot log in
        answer = api.new_client().post(
            "/api/auth/login", json={"email": email, "password": PASSWORD}
        )
        assert answer.status_code == 401
