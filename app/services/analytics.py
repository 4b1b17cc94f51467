"""Figures for the analytics service: jobs and applications per SDG, activity per day.

Jobs and match counts are read from a replica (``Database.read_session``). Applications are
user-owned rows: without shards they are on the main database (read from a replica too);
with shards each shard is counted, keeping only the rows the shard map says live there, so
rows a reshard has copied but not yet cleaned up are not counted twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, and_, false, func, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.core.db import Database
from app.core.db_guard import check
from app.core.shard_map import TRIVIAL, Snapshot
from app.models import Application, Job, MatchDay

SDGS = range(1, 18)
ID_CHUNK = 1000


@dataclass(frozen=True)
class Span:
    """Users ``lo`` to ``hi`` (exclusive; None: no end) at one location of the shard map."""

    lo: int
    hi: int | None
    location: str


def spans(snapshot: Snapshot) -> list[Span]:
    """The map's ranges, neighbours at the same location merged (usually one or two)."""
    merged: list[Span] = []
    ends = [*snapshot.starts[1:], None]
    for lo, hi, location in zip(snapshot.starts, ends, snapshot.locations, strict=True):
        if merged and merged[-1].location == location:
            merged[-1] = Span(merged[-1].lo, hi, location)
        else:
            merged.append(Span(lo, hi, location))
    return merged


def owned_rows(
    snapshot: Snapshot, shard: int, user_id: ColumnElement[int] | InstrumentedAttribute[int]
) -> ColumnElement[bool]:
    """SQL condition: the rows of ``shard`` whose user the shard map places there."""
    if not snapshot.starts:
        return true() if shard == 0 else false()
    conditions = []
    for span in spans(snapshot):
        bounds = [user_id >= span.lo]
        if span.hi is not None:
            bounds.append(user_id < span.hi)
        if span.location == "source":
            if shard == 0:
                conditions.append(and_(*bounds))
        elif snapshot.shards:
            conditions.append(and_(*bounds, user_id % snapshot.shards == shard))
    return or_(*conditions) if conditions else false()


def application_sessions(
    database: Database,
) -> Iterator[tuple[AbstractContextManager[Session], ColumnElement[bool]]]:
    """Where applications are read, each with the condition for the rows it owns."""
    if not database.shards:
        yield database.read_session(), true()
        return
    snapshot = database.shard_map.snapshot() if database.shard_map is not None else TRIVIAL
    for index, engine in enumerate(database.shards):
        check(engine)  # a shard whose breaker is open answers 503 at once
        yield Session(engine), owned_rows(snapshot, index, Application.user_id)


def per_sdg(database: Database) -> list[dict[str, int]]:
    """``[{sdg, jobs, applications}]`` for SDG 1-17."""
    with database.read_session() as session:
        query = select(Job.sdg_tag, func.count()).group_by(Job.sdg_tag)
        jobs: Counter[int] = Counter()
        for sdg, count in session.execute(query).tuples():
            jobs[sdg] += count
    per_job: Counter[int] = Counter()
    for opened, owned in application_sessions(database):
        with opened as session:
            query = (
                select(Application.job_id, func.count()).where(owned).group_by(Application.job_id)
            )
            for job_id, count in session.execute(query).tuples():
                per_job[job_id] += count
    applications: Counter[int] = Counter()
    job_ids = sorted(per_job)
    with database.read_session() as session:
        for start in range(0, len(job_ids), ID_CHUNK):
            chunk = job_ids[start : start + ID_CHUNK]
            for job_id, sdg in session.execute(
                select(Job.id, Job.sdg_tag).where(Job.id.in_(chunk))
            ).tuples():
                applications[sdg] += per_job[job_id]
    return [{"sdg": sdg, "jobs": jobs[sdg], "applications": applications[sdg]} for sdg in SDGS]


def _day(value: object) -> date:
    """``DATE(...)`` is a date on MariaDB and a ``YYYY-MM-DD`` string on SQLite."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def activity(database: Database, *, days: int, today: date) -> list[dict[str, object]]:
    """``[{day, postings, applications, matches}]`` for the ``days`` days up to ``today``
    (UTC), oldest first, days without activity included as zeros."""
    first = today - timedelta(days=days - 1)
    since = datetime.combine(first, time.min)
    postings: Counter[date] = Counter()
    matches: Counter[date] = Counter()
    applications: Counter[date] = Counter()
    with database.read_session() as session:
        posted_on = func.date(Job.created_at)
        for day, count in session.execute(
            select(posted_on, func.count()).where(Job.created_at >= since).group_by(posted_on)
        ).tuples():
            postings[_day(day)] += count
        for day, count in session.execute(
            select(MatchDay.day, MatchDay.matches).where(MatchDay.day >= first)
        ).tuples():
            matches[_day(day)] += count
    applied_on = func.date(Application.created_at)
    for opened, owned in application_sessions(database):
        with opened as session:
            for day, count in session.execute(
                select(applied_on, func.count())
                .where(owned, Application.created_at >= since)
                .group_by(applied_on)
            ).tuples():
                applications[_day(day)] += count
    result: list[dict[str, object]] = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        result.append(
            {
                "day": day.isoformat(),
                "postings": postings[day],
                "applications": applications[day],
                "matches": matches[day],
            }
        )
    return result
