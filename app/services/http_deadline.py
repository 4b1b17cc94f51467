"""A whole-call deadline for httpx: its timeouts bound each socket operation, not the call.

httpx's read timeout restarts with every chunk, so a server that drips one byte a second
(headers or body) keeps a call alive for hours. Here every socket read and write of the
connections a transport opens is capped by the time left until the deadline of the call
the current thread is making; past it they raise httpcore's timeouts, which httpx turns
into ``httpx.ReadTimeout`` / ``httpx.WriteTimeout``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import httpcore
import httpx


class Deadline:
    """The end of the call the current thread is making (per thread: clients are shared)."""

    def __init__(self) -> None:
        self._local = threading.local()

    @contextmanager
    def within(self, seconds: float) -> Iterator[None]:
        self._local.until = time.monotonic() + seconds
        try:
            yield
        finally:
            self._local.until = None

    def left(self, timeout: float | None, error: type[Exception]) -> float | None:
        """``timeout`` capped by the time left; ``error`` once none is left."""
        until: float | None = getattr(self._local, "until", None)
        if until is None:
            return timeout
        left = until - time.monotonic()
        if left <= 0:
            raise error("the call's deadline passed")
        return left if timeout is None else min(timeout, left)


class DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, deadline: Deadline) -> None:
        self._inner = inner
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._deadline.left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._deadline.left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: object,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        inner = self._inner.start_tls(
            ssl_context,  # type: ignore[arg-type]
            server_hostname,
            self._deadline.left(timeout, httpcore.ConnectTimeout),
        )
        return DeadlineStream(inner, self._deadline)

    def get_extra_info(self, info: str) -> object:
        return self._inner.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, deadline: Deadline) -> None:
        self._inner = httpcore.SyncBackend()
        self._deadline = deadline

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_tcp(
            host,
            port,
            self._deadline.left(timeout, httpcore.ConnectTimeout),
            local_address,
            socket_options,
        )
        return DeadlineStream(stream, self._deadline)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_unix_socket(
            path, self._deadline.left(timeout, httpcore.ConnectTimeout), socket_options
        )
        return DeadlineStream(stream, self._deadline)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def deadline_transport(deadline: Deadline) -> httpx.HTTPTransport:
    """An ``httpx.HTTPTransport`` whose connections honour ``deadline``."""
    transport = httpx.HTTPTransport()
    # httpx has no public hook for the network backend of its connection pool.
    transport._pool._network_backend = DeadlineBackend(deadline)
    return transport
