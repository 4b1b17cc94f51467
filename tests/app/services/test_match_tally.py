"""Match requests per day: counted in memory, added to ``match_days`` by each instance,
kept when the writer is down."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from app.core.db import Database
from app.core.settings import Settings
from app.migrate import upgrade_all
from app.models import MatchDay
from app.services.match_tally import MatchTally

DAY_ONE, DAY_TWO = date(2026, 12, 1), date(2026, 12, 2)


def database(path: Path) -> Database:
    db = Database.from_settings(Settings(data_dir=path))
    upgrade_all(db)
    return db


def stored(db: Database) -> dict[date, int]:
    with db.write_session() as session:
        return {row.day: row.matches for row in session.scalars(select(MatchDay))}


def test_instances_add_their_counts_to_the_same_days(tmp_path: Path) -> None:
    db = database(tmp_path)
    today = [DAY_ONE]
    first = MatchTally(db, clock=lambda: today[0])
    second = MatchTally(db, clock=lambda: today[0])
    for _ in range(3):
        first.record()
    second.record()
    assert first.flush() == 3 and second.flush() == 1
    today[0] = DAY_TWO
    first.record()
    assert first.flush() == 1
    assert first.flush() == 0  # nothing pending
    assert stored(db) == {DAY_ONE: 4, DAY_TWO: 1}


def test_counts_are_kept_while_the_writer_is_down(tmp_path: Path) -> None:
    db = database(tmp_path)
    tally = MatchTally(db, clock=lambda: DAY_ONE)
    tally.record()
    tally.record()
    MatchDay.__table__.drop(db.writer)  # type: ignore[attr-defined]  # every write now fails
    assert tally.flush() == 0
    MatchDay.__table__.create(db.writer)  # type: ignore[attr-defined]
    tally.record()
    assert tally.flush() == 3
    assert stored(db) == {DAY_ONE: 3}


def test_stop_writes_what_is_pending(tmp_path: Path) -> None:
    db = database(tmp_path)
    tally = MatchTally(db, flush_seconds=60, clock=lambda: DAY_ONE)
    tally.start()
    tally.record()
    tally.stop()
    assert stored(db) == {DAY_ONE: 1}
