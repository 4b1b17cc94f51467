"""Employers that post jobs, and the invitations through which their staff join them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped, mapped_column

from app.core.text import name_key
from app.models.base import Base, utcnow


def _key_of_name(context: DefaultExecutionContext) -> str:
    return name_key(context.get_current_parameters()["name"])


class Employer(Base):
    __tablename__ = "employers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    # SHA-256 of the name's normalised form (app.core.text.name_key): unique, so case,
    # accent, width and punctuation variants of an existing name cannot be registered.
    name_key: Mapped[str] = mapped_column(String(64), unique=True, default=_key_of_name)
    website: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class EmployerInvitation(Base):
    """A single-use token a member of an employer issues so that one new account may join."""

    __tablename__ = "employer_invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 of the token
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
    used_by: Mapped[int | None] = mapped_column(Integer)
