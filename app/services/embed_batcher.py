"""Micro-batching for the AI service: concurrent requests share one model call.

Requests put their texts in a bounded queue (counted in texts). One worker thread takes
the oldest request, then keeps taking whole requests while they fit in ``max_batch``
texts, waiting at most ``max_wait`` seconds for more; it encodes them in one call and
answers each request's future with its own rows. It waits for more only while requests
come together: when the last batch held one request and nothing arrived while it was
encoded, a lone request goes straight to the model (one client should not pay the window).
A request that would overflow the queue is refused at once (``QueueFull``: the route
answers 429 with Retry-After) instead of waiting into a timeout.

Fair to its callers (issue 19): requests are queued per caller and taken in turn, and a
question someone waits on (``urgent``: matching a text, a career recommendation) goes
before bulk re-embedding. One caller may hold at most ``max_queued - max_batch`` texts, so
however hard one client floods, another always finds room for a batch and is served next.

A caller that gave up (its future cancelled: the client went away) is dropped when the
worker reaches it, never encoded; once taken, a request's future can no longer be
cancelled, so answering it cannot fail and the worker cannot die of it.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

log = logging.getLogger("app.embed_batcher")

Matrix = npt.NDArray[np.float32]
Encode = Callable[[list[str]], Matrix]


class EncodeFailed(RuntimeError):
    """The model raised on a request's texts (logged with its traceback by the worker)."""


class WorkerStopped(RuntimeError):
    """The worker is not running (stopping, or not started): no request can be answered."""


class QueueFull(RuntimeError):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"the embedding queue is full; retry after {retry_after} s")
        self.retry_after = retry_after


@dataclass
class _Request:
    texts: list[str]
    caller: str = ""
    urgent: bool = False
    future: Future[Matrix] = field(default_factory=Future)


class _FairQueue:
    """Requests by tier (urgent first), then caller in turn, then arrival. Not locked: the
    batcher holds its condition around every call."""

    def __init__(self) -> None:
        # per tier: caller -> their requests, the caller to serve next first
        self._tiers: tuple[dict[str, deque[_Request]], dict[str, deque[_Request]]] = ({}, {})
        self.texts_by_caller: dict[str, int] = {}

    def __bool__(self) -> bool:
        return any(self._tiers)

    def append(self, request: _Request) -> None:
        tier = self._tiers[0 if request.urgent else 1]
        tier.setdefault(request.caller, deque()).append(request)
        held = self.texts_by_caller.get(request.caller, 0)
        self.texts_by_caller[request.caller] = held + len(request.texts)

    def peek(self) -> _Request:
        tier = self._tiers[0] if self._tiers[0] else self._tiers[1]
        return tier[next(iter(tier))][0]

    def popleft(self) -> _Request:
        tier = self._tiers[0] if self._tiers[0] else self._tiers[1]
        caller = next(iter(tier))
        waiting = tier.pop(caller)
        request = waiting.popleft()
        if waiting:
            tier[caller] = waiting  # to the back: the other callers go first
        left = self.texts_by_caller[caller] - len(request.texts)
        if left:
            self.texts_by_caller[caller] = left
        else:
            del self.texts_by_caller[caller]
        return request


class EmbedBatcher:
    def __init__(
        self, encode: Encode, *, max_batch: int = 64, max_wait: float = 0.005, max_queued: int = 512
    ) -> None:
        if max_queued < max_batch:
            raise ValueError(f"max_queued ({max_queued}) must hold one batch ({max_batch})")
        self.encode = encode
        self.max_batch = max_batch
        self.max_wait = max_wait
        self.max_queued = max_queued
        self._queue = _FairQueue()
        # room for another caller's whole batch, where the queue is deep enough for that
        spare = max_queued - max_batch
        self.max_per_caller = spare if spare >= max_batch else max_queued
        self._queued_texts = 0
        self._cond = threading.Condition()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._seconds_per_text = 0.01  # running estimate, for Retry-After
        self._expect_company = False  # the last batch had company: wait for more next time
        self.batches = 0  # encode calls made (for tests and metrics)

    @property
    def queued_texts(self) -> int:
        return self._queued_texts

    def start(self) -> None:
        with self._cond:
            if self._thread is not None:
                return
            self._stopping = False
            self._thread = threading.Thread(target=self._run, name="embed-batcher", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop the worker; requests still queued fail with WorkerStopped."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
        with self._cond:
            while self._queue:
                future = self._queue.popleft().future
                if future.set_running_or_notify_cancel():
                    future.set_exception(WorkerStopped("the service is stopping"))
            self._queued_texts = 0

    def submit(self, texts: list[str], caller: str = "", urgent: bool = False) -> Future[Matrix]:
        """Queue ``texts`` for ``caller`` (urgent: someone waits on the answer); the future
        gets one row per text. A request of more than ``max_batch`` texts is encoded alone."""
        if not texts:
            raise ValueError("no texts to embed")
        request = _Request(list(texts), caller, urgent)
        with self._cond:
            if self._stopping or self._thread is None or not self._thread.is_alive():
                raise WorkerStopped("the embedding worker is not running")
            held = self._queue.texts_by_caller.get(caller, 0)
            if (
                self._queued_texts + len(texts) > self.max_queued
                or held + len(texts) > self.max_per_caller
            ):
                wait = self._queued_texts * self._seconds_per_text
                raise QueueFull(max(1, math.ceil(wait)))
            self._queue.append(request)
            self._queued_texts += len(texts)
            self._cond.notify()
        return request.future

    def _pop_live(self) -> _Request | None:
        """The next queued request (by tier, caller in turn, then age) whose caller still
        waits (cancelled ones are dropped); its future is marked running, so it can no
        longer be cancelled. Holds ``_cond``."""
        while self._queue:
            request = self._queue.popleft()
            self._queued_texts -= len(request.texts)
            if request.future.set_running_or_notify_cancel():
                return request
        return None

    def _take_batch(self) -> list[_Request] | None:
        """Block for the first live request, then gather more for at most ``max_wait``."""
        with self._cond:
            first = None
            while first is None:
                while not self._queue and not self._stopping:
                    self._cond.wait()
                if self._stopping:
                    return None
                first = self._pop_live()
            batch = [first]
            size = len(first.texts)
            deadline = time.monotonic() + (self.max_wait if self._expect_company else 0.0)
            while size < self.max_batch:
                if self._queue:
                    if size + len(self._queue.peek().texts) > self.max_batch:
                        break
                    request = self._pop_live()
                    if request is not None:
                        batch.append(request)
                        size += len(request.texts)
                    continue
                left = deadline - time.monotonic()
                if left <= 0 or self._stopping:
                    break
                self._cond.wait(left)
            return batch

    def _run(self) -> None:
        while (batch := self._take_batch()) is not None:
            texts = [text for request in batch for text in request.texts]
            started = time.perf_counter()
            try:
                vectors = self._encode_checked(texts)
            except Exception as error:
                self._note_company(batch)
                log.exception("embedding a batch of %d texts failed", len(texts))
                self._answer_one_by_one(batch, error)
                continue
            self._note_company(batch)
            per_text = (time.perf_counter() - started) / len(texts)
            self._seconds_per_text = 0.8 * self._seconds_per_text + 0.2 * per_text
            self.batches += 1
            row = 0
            for request in batch:
                count = len(request.texts)
                request.future.set_result(vectors[row : row + count])
                row += count

    def _note_company(self, batch: list[_Request]) -> None:
        """Whether the next batch should wait for more: this one was shared, or requests
        queued up while it was encoded (clients are sending together)."""
        with self._cond:
            self._expect_company = len(batch) > 1 or bool(self._queue)

    def _encode_checked(self, texts: list[str]) -> Matrix:
        vectors = self.encode(texts)
        if len(vectors) != len(texts):
            raise ValueError(f"the model returned {len(vectors)} vectors for {len(texts)} texts")
        return vectors

    def _answer_one_by_one(self, batch: list[_Request], error: Exception) -> None:
        """After a failed batch, each request alone: a text that breaks the model fails
        its own request only, not the others that shared its batch."""
        if len(batch) == 1:
            batch[0].future.set_exception(EncodeFailed(str(error)))
            return
        for request in batch:
            try:
                vectors = self._encode_checked(request.texts)
            except Exception as alone:
                log.warning("embedding %d texts alone failed: %s", len(request.texts), alone)
                request.future.set_exception(EncodeFailed(str(alone)))
            else:
                request.future.set_result(vectors)
