"""Compute and store embeddings for jobs and careers (run by the Celery task or inline)."""

from __future__ import annotations

from typing import Literal, TypeVar

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, undefer

from app.models import Career, Job
from app.services.embeddings import to_bytes
from app.services.text_encoders import TextEncoder

Kind = Literal["jobs", "careers"]
T = TypeVar("T", Job, Career)
BATCH = 256


def embedding_text(row: Job | Career) -> str:
    if isinstance(row, Career):
        skills = ", ".join(row.skills or [])
        return f"{row.title}. {row.description} Skills: {skills}"
    return f"{row.title}. {row.description}"


def _stale(model: type[T], model_name: str, ids: list[int] | None) -> Select[tuple[T]]:
    query = select(model).options(undefer(model.embedding)).order_by(model.id)
    if ids is not None:
        return query.where(model.id.in_(ids))
    return query.where(or_(model.embedding.is_(None), model.embedding_model != model_name))


def update_embeddings(
    *, session: Session, embedder: TextEncoder, kind: Kind, ids: list[int] | None = None
) -> int:
    """(Re)compute embeddings of the given rows, or of every row missing one for this model.

    Commits batch by batch; returns how many rows were updated.
    """
    rows: list[Job | Career] = []
    if kind == "jobs":
        rows.extend(session.scalars(_stale(Job, embedder.name, ids)))
    else:
        rows.extend(session.scalars(_stale(Career, embedder.name, ids)))
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        vectors = embedder.encode([embedding_text(row) for row in batch])
        for row, vector in zip(batch, vectors, strict=True):
            row.embedding = to_bytes(vector)
            row.embedding_dim = embedder.dim
            row.embedding_model = embedder.name
        session.commit()
    return len(rows)
