"""Compute and store embeddings for jobs and careers (the outbox worker, the demo seed, the
Celery task for a model change).

No database connection is held while the vectors are computed: the encoder may be the AI
service, a remote call that can take up to AI_SERVICE_BULK_TIMEOUT_SECONDS. Texts are read
in one short session, encoded with none open, and the vectors written in another.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, cast

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from app.models import Career, Job
from app.services.embeddings import to_bytes
from app.services.text_encoders import TextEncoder

Kind = Literal["jobs", "careers"]
OpenSession = Callable[[], Session]
BATCH = 256


def model_of(kind: Kind) -> type[Job] | type[Career]:
    return Job if kind == "jobs" else Career


def embedding_text(row: Job | Career) -> str:
    if isinstance(row, Career):
        skills = ", ".join(row.skills or [])
        return f"{row.title}. {row.description} Skills: {skills}"
    return f"{row.title}. {row.description}"


def read_texts(
    *, open_session: OpenSession, kind: Kind, model_name: str, ids: list[int] | None
) -> dict[int, str]:
    """The text to embed of each row in ``ids`` that exists, or (``ids`` None) of every row
    lacking a vector of ``model_name``; the session is closed before this returns."""
    model = model_of(kind)
    query = select(model).order_by(model.id)
    if ids is not None:
        query = query.where(model.id.in_(ids))
    else:
        query = query.where(
            or_(model.embedding_model.is_(None), model.embedding_model != model_name)
        )
    with open_session() as session:
        rows = cast(list[Job | Career], list(session.scalars(query)))
        return {row.id: embedding_text(row) for row in rows}


def write_vectors(
    *, session: Session, kind: Kind, encoder: TextEncoder, ids: list[int], vectors: object
) -> None:
    """Store ``vectors`` (rows of a matrix, in ``ids`` order) on their rows; not committed."""
    model = model_of(kind)
    for row_id, vector in zip(ids, vectors, strict=True):  # type: ignore[call-overload]
        session.execute(
            update(model)
            .where(model.id == row_id)
            .values(
                embedding=to_bytes(vector), embedding_dim=encoder.dim, embedding_model=encoder.name
            )
        )


def update_embeddings(
    *, open_session: OpenSession, embedder: TextEncoder, kind: Kind, ids: list[int] | None = None
) -> int:
    """(Re)compute embeddings of the given rows, or of every row missing one for this model.

    Commits batch by batch, each in its own short session; returns how many rows were
    updated.
    """
    texts = read_texts(open_session=open_session, kind=kind, model_name=embedder.name, ids=ids)
    row_ids = list(texts)
    for start in range(0, len(row_ids), BATCH):
        batch = row_ids[start : start + BATCH]
        vectors = embedder.encode([texts[row_id] for row_id in batch])  # no connection held
        with open_session() as session:
            write_vectors(session=session, kind=kind, encoder=embedder, ids=batch, vectors=vectors)
            session.commit()
    return len(row_ids)
