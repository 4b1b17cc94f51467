"""Counts match requests per day in memory and adds them to ``match_days`` every few seconds.

One upsert per instance per interval instead of one write per request; a crash loses at
most one interval's count (the figures are for a dashboard, not billing). The writer
being down keeps the count for the next flush.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from app.core.db import Database
from app.models import MatchDay

log = logging.getLogger("app.match_tally")


def today() -> date:
    return datetime.now(UTC).date()


class MatchTally:
    def __init__(
        self,
        database: Database,
        *,
        flush_seconds: float = 10.0,
        clock: Callable[[], date] = today,
    ) -> None:
        self.database = database
        self.flush_seconds = flush_seconds
        self.clock = clock
        self._pending: Counter[date] = Counter()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def record(self) -> None:
        with self._lock:
            self._pending[self.clock()] += 1

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="match-tally", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop the thread and write what is pending."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self.flush()

    def _run(self) -> None:
        while not self._stop.wait(self.flush_seconds):
            self.flush()

    def flush(self) -> int:
        """Add the pending counts to their days' rows; returns how many were written."""
        with self._lock:
            pending, self._pending = self._pending, Counter()
        if not pending:
            return 0
        try:
            with self.database.write_session() as session:
                for day, count in sorted(pending.items()):
                    self._add(session, day, count)
                session.commit()
        except SQLAlchemyError as error:
            log.warning(
                "match counts not written (%s); kept for the next flush", type(error).__name__
            )
            with self._lock:
                self._pending.update(pending)
            return 0
        return sum(pending.values())

    @staticmethod
    def _add(session: Session, day: date, count: int) -> None:
        added = session.execute(
            update(MatchDay).where(MatchDay.day == day).values(matches=MatchDay.matches + count)
        )
        if getattr(added, "rowcount", 0):
            return
        try:  # the day's first flush anywhere; another instance may insert it at once
            with session.begin_nested():
                session.add(MatchDay(day=day, matches=count))
        except IntegrityError:
            session.execute(
                update(MatchDay).where(MatchDay.day == day).values(matches=MatchDay.matches + count)
            )
