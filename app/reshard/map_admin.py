"""The reshard's side of the shard map in shard 0: start, fence, flip, record progress, reset.

Every change that moves traffic runs in one short transaction that takes the range row
``FOR UPDATE``; app writers hold the same row ``LOCK IN SHARE MODE`` across their write
(``app/core/shard_map.py``), which is what makes a fence or a flip atomic with respect to
them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.engine import Connection

from app.reshard.plan import bounds


@dataclass
class Range:
    id: int
    lo: int
    hi: int | None
    location: str
    fenced: bool
    verified_rows: int | None
    verified_users: int | None


@dataclass
class Header:
    version: int
    shards: int
    status: str
    workflow: dict[str, Any]
    rows_copied: int
    pause_ms_max: int
    settled_in: float  # seconds until the workflow has been active for the settle time
    started_at: Any
    finished_at: Any
    cleaned_at: Any
    ranges: list[Range] = field(default_factory=list)


class MapAdmin:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def read(self, settle: float = 0.0) -> Header:
        with self.engine.connect() as connection:
            row = connection.execute(
                text(
                    "SELECT version, shards, status, workflow, rows_copied, pause_ms_max, "
                    "started_at, finished_at, cleaned_at, "
                    ":settle - TIMESTAMPDIFF(MICROSECOND, active_since, NOW(6)) / 1e6 AS left_s "
                    "FROM shard_map WHERE id = 1"
                ),
                {"settle": settle},
            ).one()
            ranges = [
                Range(
                    id=r.id,
                    lo=r.lo,
                    hi=r.hi,
                    location=r.location,
                    fenced=bool(r.fenced),
                    verified_rows=r.verified_rows,
                    verified_users=r.verified_users,
                )
                for r in connection.execute(
                    text(
                        "SELECT id, lo, hi, location, verified_rows, verified_users, "
                        "COALESCE(fenced_until > NOW(6), 0) AS fenced "
                        "FROM shard_map_ranges ORDER BY lo"
                    )
                )
            ]
        return Header(
            version=row.version,
            shards=row.shards,
            status=row.status,
            workflow=json.loads(row.workflow) if row.workflow else {},
            rows_copied=row.rows_copied,
            pause_ms_max=row.pause_ms_max,
            settled_in=float(row.left_s) if row.left_s is not None else 0.0,
            started_at=row.started_at,
            finished_at=row.finished_at,
            cleaned_at=row.cleaned_at,
            ranges=ranges,
        )

    def start(self, shards: int, starts: list[int], workflow: dict[str, Any]) -> bool:
        """Split the trivial map into ranges and mark the workflow active (``copying``).

        False when the map is no longer idle (another run started it meanwhile).
        """
        with self.engine.begin() as connection:
            status = connection.execute(
                text("SELECT status FROM shard_map WHERE id = 1 FOR UPDATE")
            ).scalar_one()
            rows = connection.execute(
                text("SELECT id FROM shard_map_ranges FOR UPDATE")
            ).all()  # waits for in-flight writers of the single range
            if status != "idle" or len(rows) != 1:
                return False
            connection.execute(text("DELETE FROM shard_map_ranges"))
            for index in range(len(starts)):
                lo, hi = bounds(starts, index)
                connection.execute(
                    text(
                        "INSERT INTO shard_map_ranges (id, lo, hi, location) "
                        "VALUES (:id, :lo, :hi, 'source')"
                    ),
                    {"id": index, "lo": lo, "hi": hi},
                )
            connection.execute(
                text(
                    "UPDATE shard_map SET status = 'copying', shards = :n, workflow = :w, "
                    "version = version + 1, rows_copied = 0, pause_ms_max = 0, "
                    "active_since = NOW(6), started_at = NOW(), finished_at = NULL, "
                    "cleaned_at = NULL WHERE id = 1"
                ),
                {"n": shards, "w": json.dumps(workflow)},
            )
        return True

    def set_status(self, status: str, *, restart_settle: bool = False) -> None:
        extra = ", active_since = NOW(6)" if restart_settle else ""
        if status in ("done", "rolled_back"):
            extra += ", finished_at = NOW()"
        with self.engine.begin() as connection:
            connection.execute(
                text(
                    f"UPDATE shard_map SET status = :s, version = version + 1{extra} WHERE id = 1"
                ),
                {"s": status},
            )

    def save_progress(self, workflow: dict[str, Any], rows_copied: int) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                text(
                    "UPDATE shard_map SET workflow = :w, rows_copied = rows_copied + :r "
                    "WHERE id = 1"
                ),
                {"w": json.dumps(workflow), "r": rows_copied},
            )

    def fence(self, range_id: int, lease_seconds: float) -> None:
        """Fence a range; returns once every in-flight writer of the range has committed."""
        with self.engine.begin() as connection:
            connection.execute(
                text(
                    "UPDATE shard_map_ranges SET fenced_until = NOW(6) + INTERVAL :us MICROSECOND "
                    "WHERE id = :id"
                ),
                {"id": range_id, "us": int(lease_seconds * 1e6)},
            )

    def unfence(self, range_id: int) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                text("UPDATE shard_map_ranges SET fenced_until = NULL WHERE id = :id"),
                {"id": range_id},
            )

    def flip(
        self, range_id: int, location: str, *, rows: int, users: int, checksum: str, pause_ms: int
    ) -> bool:
        """Move a fenced range to ``location`` and lift its fence, in one transaction.

        False (nothing changed) when the fence lease ran out: writers may have written to the
        old side since, so the range must be reconciled again.
        """
        with self.engine.begin() as connection:
            held = connection.execute(
                text(
                    "SELECT fenced_until > NOW(6) AS held FROM shard_map_ranges "
                    "WHERE id = :id FOR UPDATE"
                ),
                {"id": range_id},
            ).scalar_one()
            if not held:
                connection.execute(
                    text("UPDATE shard_map_ranges SET fenced_until = NULL WHERE id = :id"),
                    {"id": range_id},
                )
                return False
            connection.execute(
                text(
                    "UPDATE shard_map_ranges SET location = :loc, fenced_until = NULL, "
                    "verified_rows = :rows, verified_users = :users, checksum = :sum "
                    "WHERE id = :id"
                ),
                {"id": range_id, "loc": location, "rows": rows, "users": users, "sum": checksum},
            )
            connection.execute(
                text(
                    "UPDATE shard_map SET version = version + 1, "
                    "pause_ms_max = GREATEST(pause_ms_max, :p) WHERE id = 1"
                ),
                {"p": pause_ms},
            )
        return True

    def mark_cleaned(self) -> None:
        with self.engine.begin() as connection:
            connection.execute(text("UPDATE shard_map SET cleaned_at = NOW() WHERE id = 1"))

    def reset(self) -> None:
        """Back to the trivial map (after a rollback's cleanup: every range is at the source)."""
        with self.engine.begin() as connection:
            _lock_all(connection)
            connection.execute(text("DELETE FROM shard_map_ranges WHERE id <> 0"))
            connection.execute(
                text(
                    "UPDATE shard_map_ranges SET lo = 0, hi = NULL, location = 'source', "
                    "fenced_until = NULL, verified_rows = NULL, verified_users = NULL, "
                    "checksum = NULL WHERE id = 0"
                )
            )
            connection.execute(
                text(
                    "UPDATE shard_map SET status = 'idle', shards = 0, workflow = '', "
                    "version = version + 1, rows_copied = 0, pause_ms_max = 0, "
                    "active_since = NULL, started_at = NULL, finished_at = NULL, "
                    "cleaned_at = NULL WHERE id = 1"
                )
            )


def _lock_all(connection: Connection) -> None:
    connection.execute(text("SELECT id FROM shard_map WHERE id = 1 FOR UPDATE")).all()
    connection.execute(text("SELECT id FROM shard_map_ranges FOR UPDATE")).all()
