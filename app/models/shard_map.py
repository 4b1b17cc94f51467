"""The shard map: where each user range lives, kept in shard 0 (the phase-1/2 database).

One header row (``id = 1``) carries the map's version and the reshard workflow's progress;
``shard_map_ranges`` splits user ids into ranges, each at the ``source`` (shard 0) or at its
``target`` (shard ``user_id % shards``). The migration writes the trivial map: one range
covering every user, at the source. See ``app/core/shard_map.py`` (how the app reads it) and
``app/reshard/`` (how a reshard advances it).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Integer, String, Text
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base

# Microseconds on MariaDB: fences are leases of about a second.
PreciseTime = DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


class ShardMapHeader(Base):
    __tablename__ = "shard_map"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    shards: Mapped[int] = mapped_column(Integer, default=0)  # N of the workflow, 0 when idle
    # idle | copying | catching_up | done | rolling_back | rolled_back
    status: Mapped[str] = mapped_column(String(16), default="idle")
    workflow: Mapped[str] = mapped_column(Text, default="")  # JSON: source and target identities
    copied_through_id: Mapped[int] = mapped_column(BigInteger, default=0)
    rows_copied: Mapped[int] = mapped_column(BigInteger, default=0)
    pause_ms_max: Mapped[int] = mapped_column(Integer, default=0)
    active_since: Mapped[datetime | None] = mapped_column(PreciseTime)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    cleaned_at: Mapped[datetime | None] = mapped_column(DateTime)


class ShardMapRange(Base):
    __tablename__ = "shard_map_ranges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    lo: Mapped[int] = mapped_column(Integer, index=True)  # first user id of the range
    hi: Mapped[int | None] = mapped_column(Integer)  # first user id past it; NULL = open
    location: Mapped[str] = mapped_column(String(8), default="source")  # source | target
    fenced_until: Mapped[datetime | None] = mapped_column(PreciseTime)
    verified_rows: Mapped[int | None] = mapped_column(Integer)
    verified_users: Mapped[int | None] = mapped_column(Integer)
    checksum: Mapped[str | None] = mapped_column(String(32))
