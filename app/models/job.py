"""Jobs, with the source document's indexes and their embedding."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, LargeBinary, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow
from app.models.employer import Employer


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        Index("idx_job_sdg_salary", "sdg_tag", "salary_min", "salary_max"),
        Index("idx_job_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), index=True)
    title: Mapped[str] = mapped_column(String(255), index=True)
    description: Mapped[str] = mapped_column(Text)
    sdg_tag: Mapped[int] = mapped_column(SmallInteger, index=True)
    salary_min: Mapped[int] = mapped_column(Integer, index=True)
    salary_max: Mapped[int] = mapped_column(Integer, index=True)
    location: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # float32 little-endian bytes; dimension and model recorded beside them.
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    embedding_dim: Mapped[int | None] = mapped_column(Integer)
    embedding_model: Mapped[str | None] = mapped_column(String(255))

    employer: Mapped[Employer] = relationship(lazy="raise")
