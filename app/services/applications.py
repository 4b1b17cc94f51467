"""Applications live on the user's shard (or the writer without shards)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import Application


class AlreadyApplied(ValueError):
    pass


def apply(*, session: Session, user_id: int, job_id: int, cover_letter: str) -> Application:
    """Insert one application; the unique (user_id, job_id) key makes a second one fail."""
    application = Application(
        user_id=user_id, job_id=job_id, cover_letter=cover_letter, status="submitted"
    )
    session.add(application)
    try:
        session.commit()
    except IntegrityError as error:
        session.rollback()
        raise AlreadyApplied(f"user {user_id} already applied to job {job_id}") from error
    return application


def list_for_user(
    *, session: Session, user_id: int, skip: int = 0, limit: int = 100
) -> Sequence[Application]:
    return session.scalars(
        select(Application)
        .where(Application.user_id == user_id)
        .order_by(Application.created_at.desc(), Application.id.desc())
        .offset(skip)
        .limit(limit)
    ).all()
