"""Deferred work, recorded in the same transaction as the rows it is about (an outbox).

A posted job commits together with its ``embed_job`` row, so work the app acknowledged
cannot be lost: the worker (``app/services/outbox.py``) claims due rows, does the work
with no database connection held, and deletes them; a failure puts the row back with a
later ``due_at`` (exponential back-off). Doing a row twice is harmless (an embedding is
recomputed from the row's text and overwritten).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class OutboxTask(Base):
    __tablename__ = "outbox"
    __table_args__ = (Index("idx_outbox_due", "due_at"), Index("idx_outbox_claim", "claim"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # embed_job, embed_career
    target_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    due_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claim: Mapped[str | None] = mapped_column(String(32))  # the claiming worker's token
    last_error: Mapped[str | None] = mapped_column(String(255))
