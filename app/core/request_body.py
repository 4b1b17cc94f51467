"""A guard in front of the app for request bodies: size, media type and JSON syntax.

The body is read here, counting bytes as they arrive, so the limit holds whatever the
``Content-Length`` says (missing, wrong, or chunked transfer). Within the limit it is
handed to the app unchanged. Answers:
- 413 when the declared or received body exceeds ``max_bytes``;
- 415 when a POST/PUT/PATCH/DELETE body is not JSON: form-encoded and plain-text
  bodies are what cross-site HTML forms send, so refusing them blocks that route in;
  also when the body is empty but the content type is one of those forms send (a form
  with no fields still carries the visitor's cookies);
- 422 when a JSON body does not parse, holds NaN/Infinity, an integer beyond 64 bits or
  nesting deeper than ``MAX_DEPTH`` (values the app could not store or echo back).
"""

from __future__ import annotations

import json
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.asgi_answer import send_json

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# What an HTML form can send without CORS (the CORS-safelisted request content types).
FORM_MEDIA_TYPES = frozenset(
    {"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"}
)
MAX_DEPTH = 32
MAX_INT_DIGITS = 19  # a signed 64-bit integer has at most 19 digits


class BadJson(ValueError):
    pass


def _no_constants(name: str) -> Any:
    raise BadJson(f"{name} is not a JSON number")


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise BadJson(f"integer with {len(text)} digits is too large")
    return int(text)


def _depth(value: Any) -> int:
    """Nesting depth without recursion (deep input must not exhaust the stack)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if isinstance(item, dict):
            stack.extend((child, level + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, level + 1) for child in item)
    return deepest


def check_json(body: bytes) -> str | None:
    """None when the body is acceptable JSON, else what is wrong with it (one line)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        return f"the body is not UTF-8 (byte {error.start})"
    try:
        value = json.loads(text, parse_constant=_no_constants, parse_int=_bounded_int)
    except BadJson as error:
        return str(error)
    except RecursionError:
        return f"JSON nested deeper than {MAX_DEPTH} levels"
    except ValueError as error:  # JSONDecodeError, and int() limits
        return f"the body is not valid JSON ({str(error).splitlines()[0][:100]})"
    if _depth(value) > MAX_DEPTH:
        return f"JSON nested deeper than {MAX_DEPTH} levels"
    return None


def is_form_media_type(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip().lower() in FORM_MEDIA_TYPES


def is_json_media_type(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


class BodyGuard:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        too_large = {"detail": f"the request body is larger than {self.max_bytes} bytes"}
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await send_json(send, 413, too_large, close=True)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await send_json(send, 413, too_large, close=True)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        content_type = headers.get("content-type", "")
        if scope["method"] in UNSAFE_METHODS and (body or is_form_media_type(content_type)):
            if not is_json_media_type(content_type):
                not_json = {"detail": "request bodies must be JSON (application/json)"}
                await send_json(send, 415, not_json, close=True)
                return
            problem = check_json(body)
            if problem is not None:
                error = {"type": "json_invalid", "loc": ["body"], "msg": problem}
                await send_json(send, 422, {"detail": [error]}, close=True)
                return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
