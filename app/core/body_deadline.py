"""A deadline for reading a request's body, as an ASGI middleware.

uvicorn has no body-read timeout: a client that sends its headers and then drips its body
(or never finishes it) holds a connection and a request for as long as it likes. Here
each ``receive`` of a request that has a body waits at most until ``seconds`` after the
request started (its headers were read); a body not complete by then is answered 408,
and the connection closed.

Only the body is bounded: a request without one (no ``Content-Length`` or 0, not chunked)
passes untouched, and once the last body chunk has arrived, later ``receive`` calls (a
route waiting for the client to disconnect while it streams its answer) are not bounded.
"""

from __future__ import annotations

import asyncio

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.asgi_answer import send_json


class BodyTimeout(Exception):
    """The request body was not complete within the deadline (raised out of ``receive``)."""


def has_body(scope: Scope) -> bool:
    """Whether the request announces a body: a non-zero ``Content-Length`` or a
    ``Transfer-Encoding`` (chunked)."""
    headers = Headers(scope=scope)
    if "transfer-encoding" in headers:
        return True
    declared = headers.get("content-length", "").strip()
    return declared != "" and declared != "0"


class BodyDeadline:
    """408 when a request's body has not fully arrived ``seconds`` after the request
    started. Install it outside whatever reads the body (``BodyGuard``), so the
    ``BodyTimeout`` raised from ``receive`` reaches it before any error handler."""

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not has_body(scope):
            await self.app(scope, receive, send)
            return
        deadline = asyncio.get_running_loop().time() + self.seconds
        body_complete = False
        answered = False

        async def bounded_receive() -> Message:
            nonlocal body_complete
            if body_complete:
                return await receive()
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                raise BodyTimeout from None
            if message["type"] != "http.request" or not message.get("more_body", False):
                body_complete = True  # the last chunk, or the client is gone
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal answered
            if message["type"] == "http.response.start":
                answered = True
            await send(message)

        try:
            await self.app(scope, bounded_receive, tracking_send)
        except BodyTimeout:
            if answered:  # too late for a 408: let the server close the connection
                raise
            detail = f"the request body was not complete within {self.seconds:g} s; send it at once"
            await send_json(send, 408, {"detail": detail}, close=True)
