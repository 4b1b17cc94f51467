"""Types shared by the API schemas: UTC timestamps and the error body."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator


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


def _whole_number(value: object) -> object:
    """JSON Schema counts 13.0 as an integer; so does the API. Strings and booleans stay
    refused (strict mode): "13" and true are not numbers."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# Put last in an integer's Annotated (after its Field bounds, which then stay in the schema):
# in a strict model 13 and 13.0 pass, "13", 13.5 and true do not.
WholeNumber = BeforeValidator(_whole_number)
