"""A thread that drains the outbox: in the Celery worker (started when the worker is
ready, ``app/worker/tasks.py``) and, in the embedded default (``EMBED_MODE=inline``), in
the app process itself. It claims due rows, does them, and polls every
``OUTBOX_POLL_SECONDS`` when idle; ``wake()`` makes it look at once (a job just posted)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from app.core.settings import Settings
from app.services.embedding_updates import Kind, OpenSession
from app.services.outbox import DrainResult, drain_once
from app.services.text_encoders import TextEncoder

log = logging.getLogger("app.outbox")


class OutboxDrainer:
    def __init__(
        self,
        *,
        open_session: OpenSession,
        encoder: Callable[[], TextEncoder],
        settings: Settings,
        on_change: Callable[[frozenset[Kind]], None] = lambda _kinds: None,
    ) -> None:
        self.open_session = open_session
        self.encoder = encoder  # a factory: loading the model may fail (and is retried)
        self.settings = settings
        self.on_change = on_change
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._starting = threading.Lock()
        self.done = 0  # rows done by this drainer (tests, logs)
        # Rows claimed per drain: halved after a drain that did nothing but fail (a batch
        # too slow for AI_SERVICE_BULK_TIMEOUT_SECONDS must not fail forever), doubled back
        # up to OUTBOX_BATCH after one that succeeded.
        self.limit = settings.outbox_batch

    def start(self) -> None:
        """Start the thread (once; later calls do nothing)."""
        with self._starting:
            if self._thread is None:
                self._stop.clear()  # a lifespan may run again after a stop
                self._thread = threading.Thread(target=self._run, name="outbox", daemon=True)
                self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        with self._starting:
            self._stop.set()
            self._wake.set()
            thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)

    def wake(self) -> None:
        self._wake.set()

    def drain(self) -> DrainResult:
        """One claim and its work; ``on_change`` runs for the kinds that got vectors."""
        settings = self.settings
        result = drain_once(
            self.open_session,
            self.encoder(),
            limit=self.limit,
            lease=settings.outbox_lease_seconds,
            base=settings.outbox_retry_base_seconds,
            cap=settings.outbox_retry_max_seconds,
        )
        self.done += result.done
        if result.failed and not result.done:
            self.limit = max(1, self.limit // 2)
        elif result.done and not result.failed:
            self.limit = min(settings.outbox_batch, self.limit * 2)
        if result.kinds:
            self.on_change(result.kinds)
        return result

    def _run(self) -> None:
        while not self._stop.is_set():
            busy = False
            try:
                result = self.drain()
                busy = result.done > 0  # more may be due at once
            except Exception as error:  # the database or the model: wait and try again
                log.warning("outbox drain failed (%s); trying again shortly", error)
            if busy:
                continue
            self._wake.wait(self.settings.outbox_poll_seconds)
            self._wake.clear()
