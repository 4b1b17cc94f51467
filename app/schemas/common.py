"""Types shared by the API schemas: UTC timestamps and the error body."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel


def _as_utc(value: datetime) -> datetime:
    """Columns hold naive UTC (MariaDB DATETIME has no zone); the API says so explicitly."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


# Serialised as ISO 8601 with the zone, e.g. "2026-11-30T00:25:50.123456Z".
UtcDatetime = Annotated[datetime, AfterValidator(_as_utc)]


class ErrorOut(BaseModel):
    """The body of every 4xx/5xx answer except 422 (which lists the fields)."""

    detail: str


class ValidationItem(BaseModel):
    type: str
    loc: list[str | int]
    msg: str
    input: str | int | float | bool | None = None


class ValidationErrorOut(BaseModel):
    """422: each wrong field, its location and why (offending values shown only when short)."""

    detail: list[ValidationItem]
