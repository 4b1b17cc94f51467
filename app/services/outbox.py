"""The outbox: deferred work recorded with the rows it is about, done by a worker.

``enqueue`` adds rows to the caller's transaction (a job and its ``embed_job`` row commit
together or not at all). ``drain_once`` claims due rows for a lease, does the work with
no database connection held (the encoder may be the AI service), stores the vectors and
deletes the rows it did; on failure the rows get a later ``due_at`` (exponential back-off
up to ``max_backoff``). A worker that dies mid-batch leaves its rows claimed until the
lease ends, then another takes them. Work done twice is harmless: an embedding is
recomputed from the row's text and overwritten.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from app.models import Career, Job, OutboxTask
from app.models.base import utcnow
from app.services.embedding_updates import Kind, read_texts, write_vectors
from app.services.text_encoders import TextEncoder

log = logging.getLogger("app.outbox")

EMBED_KINDS: dict[str, Kind] = {"embed_job": "jobs", "embed_career": "careers"}
TASK_OF: dict[Kind, str] = {kind: task for task, kind in EMBED_KINDS.items()}
OpenSession = Callable[[], Session]


def enqueue(session: Session, kind: Kind, ids: list[int]) -> None:
    """Queue embedding ``ids`` in the caller's transaction (not committed here)."""
    now = utcnow()
    session.add_all(
        OutboxTask(kind=TASK_OF[kind], target_id=row_id, created_at=now, due_at=now, attempts=0)
        for row_id in ids
    )


def backoff(attempts: int, *, base: float, cap: float) -> float:
    """Seconds before the next try after ``attempts`` failed ones: base, 2x, 4x ... cap."""
    return float(min(cap, base * 2 ** max(0, min(attempts - 1, 30))))


@dataclass(frozen=True)
class Backlog:
    count: int
    oldest_age_seconds: float  # 0 when empty


def backlog(session: Session, now: datetime | None = None) -> Backlog:
    count, oldest = session.execute(
        select(func.count(OutboxTask.id), func.min(OutboxTask.created_at))
    ).one()
    if not count or oldest is None:
        return Backlog(0, 0.0)
    age = ((now or utcnow()) - oldest).total_seconds()
    return Backlog(int(count), max(0.0, age))


@dataclass(frozen=True)
class Claimed:
    token: str
    tasks: list[tuple[int, str, int, int]]  # id, kind, target_id, attempts (after claiming)


def claim(open_session: OpenSession, *, limit: int, lease: float) -> Claimed:
    """Take up to ``limit`` due rows for ``lease`` seconds (one short transaction)."""
    token = secrets.token_hex(16)
    now = utcnow()
    with open_session() as session:
        due = list(
            session.scalars(
                select(OutboxTask.id)
                .where(OutboxTask.due_at <= now)
                .order_by(OutboxTask.due_at, OutboxTask.id)
                .limit(limit)
            )
        )
        if not due:
            return Claimed(token, [])
        # Only rows still due: a concurrent worker that claimed one first keeps it.
        session.execute(
            update(OutboxTask)
            .where(OutboxTask.id.in_(due), OutboxTask.due_at <= now)
            .values(
                claim=token,
                due_at=now + timedelta(seconds=lease),
                attempts=OutboxTask.attempts + 1,
            )
        )
        session.commit()
        rows = session.execute(
            select(OutboxTask.id, OutboxTask.kind, OutboxTask.target_id, OutboxTask.attempts).where(
                OutboxTask.claim == token
            )
        ).all()
    return Claimed(token, [(r[0], r[1], r[2], r[3]) for r in rows])


@dataclass
class DrainResult:
    done: int = 0  # rows done and deleted
    failed: int = 0  # rows put back for a later try
    kinds: frozenset[Kind] = frozenset()  # kinds whose rows changed


def _give_back(
    open_session: OpenSession,
    claimed: Claimed,
    ids: list[int],
    error: Exception,
    *,
    base: float,
    cap: float,
) -> None:
    attempts = {task_id: tries for task_id, _, _, tries in claimed.tasks}
    now = utcnow()
    with open_session() as session:
        for task_id in ids:
            delay = backoff(attempts[task_id], base=base, cap=cap)
            session.execute(
                update(OutboxTask)
                .where(OutboxTask.id == task_id, OutboxTask.claim == claimed.token)
                .values(
                    claim=None,
                    due_at=now + timedelta(seconds=delay),
                    last_error=f"{type(error).__name__}: {error}"[:255],
                )
            )
        session.commit()


def drain_once(
    open_session: OpenSession,
    encoder: TextEncoder,
    *,
    limit: int = 64,
    lease: float = 300.0,
    base: float = 1.0,
    cap: float = 30.0,
) -> DrainResult:
    """Claim up to ``limit`` due rows and do them; returns what was done and what failed."""
    claimed = claim(open_session, limit=limit, lease=lease)
    result = DrainResult()
    by_kind: dict[Kind, list[tuple[int, int]]] = {}
    unknown: list[int] = []
    for task_id, task, target, _ in claimed.tasks:
        kind = EMBED_KINDS.get(task)
        if kind is None:
            unknown.append(task_id)
        else:
            by_kind.setdefault(kind, []).append((task_id, target))
    if unknown:
        log.error("outbox rows of unknown kinds left for a newer worker: %s", unknown)
        _give_back(open_session, claimed, unknown, LookupError("unknown kind"), base=cap, cap=cap)
        result.failed += len(unknown)
    changed: set[Kind] = set()
    for kind, tasks in by_kind.items():
        task_ids = [task_id for task_id, _ in tasks]
        try:
            texts = read_texts(
                open_session=open_session,
                kind=kind,
                model_name=encoder.name,
                ids=sorted({target for _, target in tasks}),
            )
            row_ids = list(texts)
            vectors: object = encoder.encode([texts[r] for r in row_ids]) if row_ids else []
            with open_session() as session:  # the vectors and the rows' removal: one commit
                if row_ids:
                    write_vectors(
                        session=session, kind=kind, encoder=encoder, ids=row_ids, vectors=vectors
                    )
                session.execute(
                    delete(OutboxTask).where(
                        OutboxTask.id.in_(task_ids), OutboxTask.claim == claimed.token
                    )
                )
                session.commit()
        except Exception as error:  # the AI service, the model or the database failed
            log.warning(
                "outbox: %d %s not embedded yet (%s); retrying with back-off",
                len(task_ids),
                kind,
                error,
            )
            try:
                _give_back(open_session, claimed, task_ids, error, base=base, cap=cap)
            except Exception as again:  # the lease ends and another try takes them
                log.warning("outbox: could not reschedule (%s); the lease will", again)
            result.failed += len(task_ids)
            continue
        result.done += len(task_ids)
        changed.add(kind)
    result.kinds = frozenset(changed)
    return result


def settle_embedded(session: Session, model_name: str) -> int:
    """Delete the unclaimed embedding rows whose target already has a vector of
    ``model_name`` (embedded by another path, e.g. the demo seed); not committed."""
    removed = 0
    for task, model in (("embed_job", Job), ("embed_career", Career)):
        done = select(model.id).where(model.embedding_model == model_name)
        outcome = session.execute(
            delete(OutboxTask).where(
                OutboxTask.kind == task,
                OutboxTask.claim.is_(None),
                OutboxTask.target_id.in_(done),
            )
        )
        removed += int(getattr(outcome, "rowcount", 0) or 0)
    return removed
