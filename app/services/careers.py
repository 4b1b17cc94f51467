from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Career
from app.schemas.career import CareerIn


def list_careers(*, session: Session) -> Sequence[Career]:
    return session.scalars(select(Career).order_by(Career.sdg_tag, Career.title, Career.id)).all()


def create_career(*, session: Session, career_in: CareerIn) -> Career:
    career = Career(**career_in.model_dump())
    session.add(career)
    session.flush()
    return career


def get_careers_by_ids(*, session: Session, ids: list[int]) -> dict[int, Career]:
    if not ids:
        return {}
    return {c.id: c for c in session.scalars(select(Career).where(Career.id.in_(ids)))}
