"""A JSON answer sent straight from an ASGI middleware (before any route or error handler)."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import Send


async def send_json(send: Send, status: int, content: Any, *, close: bool = False) -> None:
    """``content`` as a whole JSON response; ``close`` asks the server to drop the connection
    (for answers given before the request body was read to its end)."""
    body = json.dumps(content).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
