"""Users: candidates, employers' staff and admins."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import DateTime, Enum, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow
from app.models.employer import Employer


class Role(enum.StrEnum):
    candidate = "candidate"
    employer = "employer"
    admin = "admin"


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        Enum(Role, name="user_role", native_enum=False, length=16, validate_strings=True)
    )
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    employer: Mapped[Employer | None] = relationship(lazy="raise")
