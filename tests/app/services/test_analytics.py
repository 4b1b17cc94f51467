"""Which shard's application rows analytics counts: each user exactly once, where the
shard map places them, also in the middle of a reshard (rows copied, not cleaned up)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, select

from app.core.shard_map import Snapshot
from app.models import Application
from app.services.analytics import Span, owned_rows, spans

USERS = range(0, 120)


def snapshot(starts: tuple[int, ...], locations: tuple[str, ...], shards: int = 3) -> Snapshot:
    return Snapshot(version=2, shards=shards, status="copying", starts=starts, locations=locations)


def test_neighbouring_ranges_at_one_location_merge() -> None:
    snap = snapshot((0, 40, 80, 100), ("target", "target", "source", "source"))
    assert spans(snap) == [Span(0, 80, "target"), Span(80, None, "source")]


@pytest.mark.parametrize(
    "snap",
    [
        snapshot((), ()),  # no map: everything on shard 0
        snapshot((0,), ("source",)),  # before a reshard
        snapshot((0, 40, 80), ("target", "source", "target")),  # in the middle of one
        snapshot((0,), ("target",)),  # after it
    ],
)
def test_every_user_is_counted_once_on_the_shard_the_map_names(snap: Snapshot) -> None:
    """Every shard holds every user's row here (the worst case: copied, not cleaned up)."""
    engine = create_engine("sqlite://")
    Application.__table__.create(engine)  # type: ignore[attr-defined]
    with engine.begin() as connection:
        connection.execute(
            Application.__table__.insert(),  # type: ignore[attr-defined]
            [{"user_id": u, "job_id": 1, "status": "s", "cover_letter": ""} for u in USERS],
        )
    counted: dict[int, int] = {}
    with engine.connect() as connection:
        for shard in range(3):
            condition = owned_rows(snap, shard, Application.user_id)
            for (user,) in connection.execute(select(Application.user_id).where(condition)):
                assert user not in counted, (
                    f"user {user} counted on shards {counted[user]} and {shard}"
                )
                counted[user] = shard
    assert counted == {user: snap.shard_of(user) for user in USERS}
