"""The reshard workflow: checks, copy, per-range catch-up and flip, rollback, cleanup, status.

See the package docstring (``app/reshard/__init__.py``) for the consistency mechanism.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import ArgumentError, DBAPIError

from app.core.shard_map import settle_seconds
from app.reshard import rows
from app.reshard.errors import ReshardError
from app.reshard.map_admin import Header, MapAdmin, Range
from app.reshard.plan import id_block, split_ranges

log = logging.getLogger("app.reshard")

LOCK_NAME = "gm_reshard:"
RESUME_HINT = "rerun the same command to resume, or run it with --rollback"

# phase ("copy", "catch-up", "rollback", "cleanup"), done, total
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Options:
    batch_size: int = 1000  # rows per copy batch
    range_rows: int = 2000  # rows per user range: the unit of fence, verify and flip
    lease_seconds: float = 2.0  # longest a fence holds writers of one range
    map_ttl: float = 1.0  # the apps' SHARD_MAP_TTL_SECONDS
    attempts: int = 3  # fence attempts per range before giving up


@dataclass
class Summary:
    status: str
    rows_copied: int
    rows_per_s: float  # rows copied (bulk and catch-up) per second of this run
    copy_rows_per_s: float  # the bulk copy phase alone
    users_moved: int
    verified: bool
    pause_ms_max: int
    ranges: int
    ranges_at_target: int
    seconds: float
    map_version: int


def _no_progress(_phase: str, _done: int, _total: int) -> None:
    return None


def normalise_url(url: str) -> str:
    """``mysql://`` and ``mariadb://`` use PyMySQL; anything but MariaDB/MySQL is refused."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ReshardError(
            f"not a database URL: {url!r}", "use mysql+pymysql://USER:PASSWORD@HOST:PORT/DB"
        ) from None
    if parsed.get_backend_name() not in ("mysql", "mariadb"):
        raise ReshardError(
            f"{parsed.render_as_string(hide_password=True)}: a reshard needs MariaDB or MySQL",
            "use mysql+pymysql://USER:PASSWORD@HOST:PORT/DB",
        )
    if not parsed.database:
        raise ReshardError(
            f"{parsed.render_as_string(hide_password=True)} names no database",
            "add /DBNAME to the URL",
        )
    return parsed.set(drivername="mysql+pymysql").render_as_string(hide_password=False)


def shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


class Reshard:
    """One reshard of ``source`` (shard 0) to ``targets`` (shard 0 first, then 1..N-1)."""

    def __init__(
        self,
        source_url: str,
        target_urls: list[str],
        options: Options | None = None,
        progress: Progress | None = None,
    ) -> None:
        if len(target_urls) < 2:
            raise ReshardError(
                f"{len(target_urls)} target(s) given; a reshard needs N >= 2 targets",
                "pass --target once per shard, shard 0 (the source itself) first",
            )
        self.options = options or Options()
        self.progress = progress or _no_progress
        self.n = len(target_urls)
        self.source_url = normalise_url(source_url)
        self.target_urls = [normalise_url(u) for u in target_urls]
        self.source = self._engine(self.source_url)
        self.targets = {k: self._engine(u) for k, u in enumerate(self.target_urls) if k > 0}
        self.map = MapAdmin(self.source)
        self.src_side = rows.SourceSide(self.source, self.n)
        self.tgt_side = rows.TargetSide(self.targets, self.n)
        self._lock: Connection | None = None
        self._ids: tuple[str, list[str]] = ("", [])
        self._bulk_marks: dict[str, int] = {}
        self._copied_this_run = 0
        self._bulk_rows = 0
        self._bulk_seconds = 0.0
        self._started = time.monotonic()
        self._settle = settle_seconds(self.options.map_ttl)

    @staticmethod
    def _engine(url: str) -> Engine:
        return create_engine(
            url,
            pool_size=2,
            max_overflow=2,
            pool_pre_ping=True,
            connect_args={
                "connect_timeout": 5,
                "read_timeout": 60,
                "write_timeout": 60,
                "charset": "utf8mb4",
            },
        )

    def close(self) -> None:
        if self._lock is not None:
            with contextlib.suppress(DBAPIError):
                self._lock.close()  # the server drops GET_LOCK with the connection
            self._lock = None
        self.source.dispose()
        for engine in self.targets.values():
            engine.dispose()

    # ---- checks ---------------------------------------------------------------------------

    def _identity(self, engine: Engine, label: str) -> str:
        try:
            with engine.connect() as connection:
                row = connection.execute(text("SELECT @@hostname, @@port, DATABASE()")).one()
        except DBAPIError as error:
            raise ReshardError(
                f"{label} ({shown(str(engine.url.render_as_string(hide_password=False)))}) "
                f"is unreachable: {str(error.orig).splitlines()[0]}",
                "check the URL and that the server is up; nothing was changed",
            ) from None
        return f"{row[0]}:{row[1]}/{row[2]}"

    def _identities(self) -> tuple[str, list[str]]:
        source = self._identity(self.source, "the source")
        targets = [source] + [
            self._identity(engine, f"target {k}") for k, engine in self.targets.items()
        ]
        first_engine = self._engine(self.target_urls[0])
        try:
            first = self._identity(first_engine, "target 0")
        finally:
            first_engine.dispose()
        if first != source:
            raise ReshardError(
                f"the first --target is {first} but the source is {source}",
                "shard 0 is the phase-1/2 database itself: pass the source URL as the first "
                "--target (its users, user_id % N == 0, never move)",
            )
        if len(set(targets)) != len(targets):
            raise ReshardError(
                f"the targets name the same database twice: {', '.join(targets)}",
                "pass N distinct databases, shard 0 (the source) first",
            )
        return source, targets

    def _has_table(self, engine: Engine, table: str) -> bool:
        with engine.connect() as connection:
            return bool(
                connection.execute(
                    text(
                        "SELECT COUNT(*) FROM information_schema.TABLES "
                        "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = :t"
                    ),
                    {"t": table},
                ).scalar()
            )

    def _check_schema(self) -> None:
        if not self._has_table(self.source, "shard_map"):
            raise ReshardError(
                f"the source {shown(self.source_url)} has no shard map",
                "run `python -m app.migrate` (DATABASE_URL and DATABASE_SHARD_URLS set) first",
            )
        for k, engine in self.targets.items():
            for table in rows.SHARDED_TABLES:
                if not self._has_table(engine, table.name):
                    raise ReshardError(
                        f"target {k} ({shown(self.target_urls[k])}) has no table {table.name}",
                        "run `python -m app.migrate` with DATABASE_SHARD_URLS listing every "
                        "shard first",
                    )

    def _check_foreign(self, *, empty: bool) -> None:
        """Targets hold no rows but ours: none at all before a start, only their users' after."""
        for k, engine in self.targets.items():
            for table in rows.SHARDED_TABLES:
                where = "" if empty else f" WHERE `{rows.USER_COLUMN}` % {self.n} <> {k}"
                with engine.connect() as connection:
                    count = connection.execute(
                        text(f"SELECT COUNT(*) FROM `{table.name}`{where}")
                    ).scalar_one()
                if count:
                    what = "rows" if empty else "rows of users that belong on other shards"
                    raise ReshardError(
                        f"target {k} ({shown(self.target_urls[k])}) holds {count} {what} in "
                        f"{table.name}: not empty of foreign data",
                        "a target must start empty: point --target at a new database, or empty "
                        "it if its rows are not needed",
                    )

    def _check_workflow(self, header: Header, source: str, targets: list[str]) -> None:
        recorded = header.workflow
        if header.shards != self.n:
            raise ReshardError(
                f"the shard map records a reshard to {header.shards} shards but "
                f"{self.n} targets were given",
                "pass the same --target URLs as the run that started it, in the same order",
            )
        if recorded.get("source") != source:
            raise ReshardError(
                f"{source} is not the current map's source ({recorded.get('source')})",
                "pass the --source the reshard was started with",
            )
        if recorded.get("targets") != targets:
            raise ReshardError(
                f"the targets differ from those the reshard was started with: "
                f"{', '.join(recorded.get('targets', []))}",
                "pass the same --target URLs in the same order",
            )

    def _take_lock(self) -> None:
        """One run per source at a time (the server drops the lock if the run dies)."""
        if self._lock is not None:
            return
        connection = self.source.connect()
        got = connection.execute(
            text("SELECT GET_LOCK(CONCAT(:n, DATABASE()), 0)"), {"n": LOCK_NAME}
        ).scalar()
        if got != 1:
            connection.close()
            raise ReshardError(
                "another reshard run is working on this source",
                "wait for it to finish (see --status), or stop it and rerun",
            )
        self._lock = connection

    def _prepare(self) -> Header:
        """Every check shared by run, rollback and cleanup; returns the current map."""
        source, targets = self._identities()
        self._ids = (source, targets)
        self._check_schema()
        self._take_lock()
        header = self.map.read()
        if header.status != "idle":
            self._check_workflow(header, source, targets)
            self._check_foreign(empty=False)
        return header

    # ---- run ------------------------------------------------------------------------------

    def run(self) -> Summary:
        """Start or resume the reshard; returns when every range is at its targets."""
        try:
            header = self._prepare()
            if header.status == "idle":
                self._start()
                header = self.map.read()
            if header.status in ("rolling_back", "rolled_back"):
                raise ReshardError(
                    f"the reshard was rolled back (status {header.status})",
                    "finish it with --rollback, then --cleanup, before resharding again",
                )
            if header.status == "copying":
                self._copy(header)
                self.map.set_status("catching_up")
            if header.status != "done":
                self._move_all(forward=True)
                self.map.set_status("done")
            return self.summary()
        except DBAPIError as error:
            raise self._fault(error) from None

    def _start(self) -> None:
        self._check_foreign(empty=True)
        source, targets = self._ids
        block = id_block(self.n)
        with self.source.connect() as connection:
            for table in rows.SHARDED_TABLES:
                next_id = connection.execute(
                    text(
                        "SELECT COALESCE(MAX(AUTO_INCREMENT), 1) FROM information_schema.TABLES "
                        "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = :t"
                    ),
                    {"t": table.name},
                ).scalar_one()
                if next_id >= block:
                    raise ReshardError(
                        f"{table.name} ids reach {next_id}, past shard 0's id block "
                        f"({block}) for {self.n} shards",
                        "ids are global across shards; reshard to fewer shards",
                    )
            table = rows.SHARDED_TABLES[0]
            user_rows = connection.execute(
                text(
                    f"SELECT `{rows.USER_COLUMN}`, COUNT(*) FROM `{table.name}` "
                    f"GROUP BY `{rows.USER_COLUMN}` ORDER BY `{rows.USER_COLUMN}`"
                )
            ).all()
        for k, engine in self.targets.items():  # target k allocates ids from its own block
            with engine.begin() as connection:
                for table in rows.SHARDED_TABLES:
                    connection.execute(
                        text(f"ALTER TABLE `{table.name}` AUTO_INCREMENT = {k * block}")
                    )
        starts = split_ranges(((u, c) for u, c in user_rows), self.options.range_rows)
        workflow: dict[str, Any] = {
            "source": source,
            "targets": targets,
            "copied": {t.name: 0 for t in rows.SHARDED_TABLES},
        }
        if not self.map.start(self.n, starts, workflow):
            raise ReshardError(
                "the shard map changed while the reshard was starting", "run --status, then rerun"
            )
        log.info("reshard started: %d ranges over %d shards", len(starts), self.n)

    def _copy(self, header: Header) -> None:
        """Bulk copy in primary-key order; progress saved after every batch."""
        workflow = header.workflow
        moving = f"`{rows.USER_COLUMN}` % {self.n} <> 0"
        for table in rows.SHARDED_TABLES:
            last = int(workflow["copied"].get(table.name, 0))
            with self.source.connect() as connection:
                total = connection.execute(
                    text(f"SELECT COUNT(*) FROM `{table.name}` WHERE {moving}")
                ).scalar_one()
                done = connection.execute(
                    text(f"SELECT COUNT(*) FROM `{table.name}` WHERE {moving} AND id <= :l"),
                    {"l": last},
                ).scalar_one()
            self.progress("copy", done, total)
            began = time.monotonic()
            while True:
                with self.source.connect() as connection:
                    batch = [
                        dict(row._mapping)
                        for row in connection.execute(
                            table.select()
                            .where(text(f"id > :last AND {moving}"))
                            .order_by(table.c.id)
                            .limit(self.options.batch_size),
                            {"last": last},
                        )
                    ]
                if not batch:
                    break
                self.tgt_side.upsert(table, batch)
                last = batch[-1]["id"]
                workflow["copied"][table.name] = last
                self.map.save_progress(workflow, len(batch))
                self._copied_this_run += len(batch)
                self._bulk_rows += len(batch)
                self._bulk_seconds = time.monotonic() - began
                done += len(batch)
                self.progress("copy", done, max(total, done))

    def _move_all(self, *, forward: bool) -> None:
        header = self.map.read(self._settle)
        self._bulk_marks = {k: int(v) for k, v in header.workflow.get("copied", {}).items()}
        frm = "source" if forward else "target"
        pending = [r for r in header.ranges if r.location == frm]
        done = len(header.ranges) - len(pending)
        phase = "catch-up" if forward else "rollback"
        self.progress(phase, done, len(header.ranges))
        if pending and header.settled_in > 0:
            # Apps cache a steady map for map_ttl: let every cache see the active workflow.
            time.sleep(header.settled_in)
        for range_ in pending:
            self._move_range(range_, forward=forward)
            done += 1
            self.progress(phase, done, len(header.ranges))

    def _move_range(self, range_: Range, *, forward: bool) -> None:
        authority, copy = (
            (self.src_side, self.tgt_side) if forward else (self.tgt_side, self.src_side)
        )
        to = "target" if forward else "source"
        lo, hi = range_.lo, range_.hi
        for attempt in range(1, self.options.attempts + 1):
            marks: dict[str, int] = {}
            for table in rows.SHARDED_TABLES:  # shrink the delta while writes go on
                marks[table.name] = authority.high_mark(table, lo, hi)
                # After the bulk copy, rows up to its last id are usually on the targets.
                bulk = self._bulk_marks.get(table.name) if forward else None
                done = rows.reconcile(table, lo, hi, authority, copy, mark=bulk)
                self._copied_this_run += done.upserted
            self.map.fence(range_.id, self.options.lease_seconds)
            fenced_at = time.monotonic()
            try:
                # No writer of this range now: verify, and catch up first if anything differs.
                checks = [rows.verify(t, lo, hi, authority, copy) for t in rows.SHARDED_TABLES]
                if any(c.mismatched for c in checks):
                    for table, check in zip(rows.SHARDED_TABLES, checks, strict=True):
                        done = rows.reconcile(
                            table,
                            lo,
                            hi,
                            authority,
                            copy,
                            mark=marks[table.name],
                            differ=check.mismatched,
                        )
                        self._copied_this_run += done.upserted
                    checks = [rows.verify(t, lo, hi, authority, copy) for t in rows.SHARDED_TABLES]
                if any(c.mismatched for c in checks):
                    self.map.unfence(range_.id)
                    raise ReshardError(
                        f"verification failed for users [{lo}, {hi if hi is not None else '∞'}): "
                        "row counts or checksums differ after catch-up; the range stays where "
                        "it was",
                        "something else writes to the targets; find it, then rerun",
                        fault=True,
                    )
                pause_ms = int((time.monotonic() - fenced_at) * 1000)
                flipped = self.map.flip(
                    range_.id,
                    to,
                    rows=sum(c.rows for c in checks),
                    users=sum(c.users for c in checks),
                    checksum=checks[0].checksum,
                    pause_ms=pause_ms,
                )
            except DBAPIError:
                self._unfence_quietly(range_.id)
                raise
            if flipped:
                return
            log.warning(
                "range %d: fence lease (%.1fs) ran out before the flip (attempt %d); retrying",
                range_.id,
                self.options.lease_seconds,
                attempt,
            )
        raise ReshardError(
            f"users [{lo}, {hi}) could not be caught up within the fence lease "
            f"({self.options.lease_seconds}s) in {self.options.attempts} attempts",
            "use a smaller range (fewer rows fenced at once) or rerun when writes are fewer",
            fault=True,
        )

    def _unfence_quietly(self, range_id: int) -> None:
        with contextlib.suppress(DBAPIError):  # else the lease runs out on its own
            self.map.unfence(range_id)

    # ---- rollback, cleanup, status ------------------------------------------------------------

    def rollback(self) -> Summary:
        """Bring every range back to the source, with writes made on the targets since."""
        try:
            header = self._prepare()
            if header.status == "idle":
                raise ReshardError("no reshard to roll back (the shard map is trivial)")
            if header.cleaned_at is not None:
                raise ReshardError(
                    "the source copies were deleted by --cleanup; a rollback is a reshard back",
                    "the data lives on the targets now",
                )
            if header.status != "rolled_back":
                if header.status != "rolling_back":
                    # From a steady map (done), apps cache it: wait for them as at a start.
                    self.map.set_status("rolling_back", restart_settle=header.status == "done")
                self._move_all(forward=False)
                self.map.set_status("rolled_back")
            return self.summary()
        except DBAPIError as error:
            raise self._fault(error) from None

    def cleanup(self) -> Summary:
        """After done: delete the moved users' rows from the source. After a rollback:
        delete the copies from the targets and go back to the trivial map."""
        try:
            header = self._prepare()
            if header.status == "done":
                if header.cleaned_at is None:
                    self._delete(self.source, f"`{rows.USER_COLUMN}` % {self.n} <> 0")
                    self.map.mark_cleaned()
            elif header.status == "rolled_back":
                for k, engine in self.targets.items():
                    self._delete(engine, f"`{rows.USER_COLUMN}` % {self.n} = {k}")
                self.map.reset()
            else:
                raise ReshardError(
                    f"nothing to clean up while the reshard is {header.status}",
                    "--cleanup runs after a finished reshard (done) or a finished rollback",
                )
            return self.summary()
        except DBAPIError as error:
            raise self._fault(error) from None

    def _delete(self, engine: Engine, where: str) -> None:
        gone = 0
        for table in rows.SHARDED_TABLES:
            while True:
                with engine.begin() as connection:
                    deleted = connection.execute(
                        text(
                            f"DELETE FROM `{table.name}` WHERE {where} "
                            f"ORDER BY id LIMIT {self.options.batch_size}"
                        )
                    ).rowcount
                gone += deleted
                self.progress("cleanup", gone, gone)
                if deleted < self.options.batch_size:
                    break

    def summary(self) -> Summary:
        header = self.map.read()
        seconds = time.monotonic() - self._started
        at_target = [r for r in header.ranges if r.location == "target"]
        return Summary(
            status=header.status,
            rows_copied=self._copied_this_run,
            rows_per_s=round(self._copied_this_run / seconds, 1) if seconds > 0 else 0.0,
            copy_rows_per_s=round(self._bulk_rows / self._bulk_seconds, 1)
            if self._bulk_seconds > 0
            else 0.0,
            users_moved=sum(r.verified_users or 0 for r in at_target),
            verified=header.status in ("done", "rolled_back")
            and all(r.verified_rows is not None for r in header.ranges),
            pause_ms_max=header.pause_ms_max,
            ranges=len(header.ranges),
            ranges_at_target=len(at_target),
            seconds=round(seconds, 3),
            map_version=header.version,
        )

    def _fault(self, error: DBAPIError) -> ReshardError:
        first = str(error.orig).splitlines()[0] if error.orig else str(error)
        return ReshardError(
            f"a database stopped answering mid-reshard: {first}", RESUME_HINT, fault=True
        )


def status(source_url: str) -> dict[str, Any]:
    """The map and the workflow's progress, read from the source (shard 0)."""
    engine = Reshard._engine(normalise_url(source_url))
    try:
        header = MapAdmin(engine).read()
    except DBAPIError as error:
        first = str(error.orig).splitlines()[0]
        raise ReshardError(f"cannot read the shard map at {shown(source_url)}: {first}") from None
    finally:
        engine.dispose()
    locations: dict[str, int] = {"source": 0, "target": 0}
    for r in header.ranges:
        locations[r.location] = locations.get(r.location, 0) + 1
    return {
        "status": header.status,
        "map_version": header.version,
        "shards": header.shards,
        "ranges": len(header.ranges),
        "ranges_at_source": locations["source"],
        "ranges_at_target": locations["target"],
        "ranges_fenced": sum(1 for r in header.ranges if r.fenced),
        "rows_copied": header.rows_copied,
        "users_moved": sum(r.verified_users or 0 for r in header.ranges if r.location == "target"),
        "pause_ms_max": header.pause_ms_max,
        "verified_ranges": sum(1 for r in header.ranges if r.verified_rows is not None),
        "started_at": str(header.started_at) if header.started_at else None,
        "finished_at": str(header.finished_at) if header.finished_at else None,
        "cleaned_at": str(header.cleaned_at) if header.cleaned_at else None,
        "source": header.workflow.get("source"),
        "targets": header.workflow.get("targets", []),
    }


def summary_dict(summary: Summary) -> dict[str, Any]:
    return asdict(summary)
