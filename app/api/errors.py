"""Error answers: validation errors that can always be encoded, database errors by kind,
and the 4xx answers every route declares in the OpenAPI schema."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError

from app.schemas.common import ErrorOut, ValidationErrorOut

log = logging.getLogger("app.errors")

MAX_ERRORS = 20
MAX_TEXT = 120  # characters of an offending value or message shown back
MAX_LOC_PARTS = 8
_OMIT = object()


def _text(value: str) -> str:
    """Clipped and always encodable (lone surrogates become "?")."""
    clipped = value[:MAX_TEXT] + ("..." if len(value) > MAX_TEXT else "")
    return clipped.encode("utf-8", "replace").decode("utf-8")


def _shown_input(value: Any) -> Any:
    """The offending value when it is small and plain; containers and odd values are left out."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if abs(value) < 2**53 else _OMIT
    if isinstance(value, float):
        return value if math.isfinite(value) else _OMIT
    if isinstance(value, str):
        return _text(value)
    return _OMIT


def safe_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """Pydantic's error list reduced to what can be shown: type, loc, msg and a bounded input."""
    shown: list[dict[str, Any]] = []
    for error in errors[:MAX_ERRORS]:
        if not isinstance(error, Mapping):
            continue
        loc = [
            part if isinstance(part, int) else _text(str(part))
            for part in list(error.get("loc", ()))[:MAX_LOC_PARTS]
        ]
        item: dict[str, Any] = {
            "type": _text(str(error.get("type", "value_error"))),
            "loc": loc,
            "msg": _text(str(error.get("msg", "invalid value"))),
        }
        value = _shown_input(error.get("input", _OMIT))
        if value is not _OMIT:
            item["input"] = value
        shown.append(item)
    return shown


async def validation_failed(_request: Request, error: Exception) -> JSONResponse:
    errors = error.errors() if isinstance(error, RequestValidationError) else []
    return JSONResponse({"detail": safe_errors(errors)}, status_code=422)


async def integrity_failed(_request: Request, error: Exception) -> JSONResponse:
    log.info("integrity error answered 409: %s", getattr(error, "orig", error))
    return JSONResponse(
        {"detail": "this conflicts with existing data (a duplicate or a missing reference)"},
        status_code=409,
    )


async def data_failed(_request: Request, error: Exception) -> JSONResponse:
    log.info("data error answered 422: %s", getattr(error, "orig", error))
    problem = {
        "type": "value_error",
        "loc": ["body"],
        "msg": "a value does not fit the database column it is stored in",
    }
    return JSONResponse({"detail": [problem]}, status_code=422)


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, validation_failed)
    app.add_exception_handler(IntegrityError, integrity_failed)
    app.add_exception_handler(DataError, data_failed)


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorOut, "description": description}


# Answers any route may give, declared on every operation (FastAPI(responses=...)).
COMMON_RESPONSES: dict[int | str, dict[str, Any]] = {
    408: _error("the request body did not arrive within BODY_READ_TIMEOUT_SECONDS"),
    413: _error("the request body exceeds MAX_BODY_BYTES"),
    415: _error("a request body that is not JSON"),
    422: {"model": ValidationErrorOut, "description": "invalid parameters or body"},
    503: _error("a dependency (database, Redis, model) is unavailable"),
}
UNSAFE_RESPONSES: dict[int | str, dict[str, Any]] = {
    403: _error("a cross-origin state change, or the account may not do this"),
}
LOGIN_REQUIRED: dict[int | str, dict[str, Any]] = {401: _error("not logged in")}
WRONG_CREDENTIALS: dict[int | str, dict[str, Any]] = {
    401: _error("wrong e-mail or password (the same answer for unknown e-mails)")
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: _error("no such resource")}
CONFLICT: dict[int | str, dict[str, Any]] = {409: _error("conflicts with existing data")}
THROTTLED: dict[int | str, dict[str, Any]] = {
    429: _error("too many failed attempts; retry after the Retry-After header's seconds")
}
