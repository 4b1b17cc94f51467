"""Users: candidates, employers' staff and admins."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import DateTime, Enum, ForeignKey, Integer, String
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow
from app.models.employer import Employer


class Role(enum.StrEnum):
    candidate = "candidate"
    employer = "employer"
    admin = "admin"


# Compared byte for byte on every backend (app/core/email_identity.py): MariaDB's default
# collation would fold case and accents its own way.
BinaryText = String(255).with_variant(
    mysql.VARCHAR(255, charset="utf8mb4", collation="utf8mb4_bin"), "mysql", "mariadb"
)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(255))  # as registered (NFKC, lower case)
    # The identity: canonical_email(email), unique; lookups and the login throttle use it.
    email_canonical: Mapped[str] = mapped_column(BinaryText, unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        Enum(Role, name="user_role", native_enum=False, length=16, validate_strings=True)
    )
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    employer: Mapped[Employer | None] = relationship(lazy="raise")
