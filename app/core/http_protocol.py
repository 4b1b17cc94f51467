"""uvicorn's h11 protocol with a deadline for each request's headers, for ``gm-infra app
serve`` (no nginx in front): uvicorn has none, so a client that sends its headers a byte
at a time (slowloris) would hold a connection for ever. With
``h11_max_incomplete_event_size`` (``MAX_HEADER_BYTES``) bounding their size, a request's
headers must arrive whole, within ``HEADER_READ_SECONDS`` of the connection opening (or of
the previous answer on a kept-alive connection), or the connection is closed. The body
has its own deadline (``app/core/body_deadline.py``)."""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_READ_SECONDS = 10.0
MAX_HEADER_BYTES = 16 * 1024  # the request line and headers together; beyond: 400


TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: text/plain\r\n"
    b"content-length: 34\r\nconnection: close\r\n\r\nrequest headers exceed 16384 bytes"
)


class BoundedH11Protocol(H11Protocol):
    header_read_seconds: float = HEADER_READ_SECONDS
    _header_timer: asyncio.TimerHandle | None = None
    _head: bytes = b""  # the bytes of the request being read, until its headers end

    def data_received(self, data: bytes) -> None:
        if self.cycle is None or self.cycle.response_complete:  # reading a request's head
            self._head += data
            end = self._head.find(b"\r\n\r\n")
            if end > MAX_HEADER_BYTES or (end < 0 and len(self._head) > MAX_HEADER_BYTES):
                # h11's own bound applies only to a head still incomplete in its buffer.
                self.transport.write(TOO_LARGE)
                self.transport.close()
                return
            if end >= 0:
                self._head = b""
        super().data_received(data)

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def handle_events(self) -> None:
        super().handle_events()
        if self.cycle is not None and not self.cycle.response_complete:
            self._disarm()  # a request's headers arrived whole

    def on_response_complete(self) -> None:
        self._head = b""
        self._arm()  # the next request's headers (a pipelined one disarms it at once)
        super().on_response_complete()

    def _arm(self) -> None:
        self._disarm()
        self._header_timer = self.loop.call_later(self.header_read_seconds, self._too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _too_slow(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self.transport.close()
