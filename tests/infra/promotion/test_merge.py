"""A 3 -> 2 downgrade is refused unless the shard map (real MariaDB) says every user is on
shard 0 again; other steps never look at the map."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.reshard.workflow import Options, Reshard
from cli.shard_map import shard_map_status
from infra.errors import BadInputError
from infra.promotion.runner import check_merge
from tests.app.factories import MAP_TTL, Shards, make_shards, populate


@pytest.fixture
def shards() -> Iterator[Shards]:
    yield from make_shards(3)


def test_steps_that_keep_the_shards_do_not_need_the_map() -> None:
    for step in ((1, 2), (2, 3), (3, 4), (4, 3), (2, 1)):
        check_merge(*step, shard_map_url=None, read_status=shard_map_status)


def test_a_downgrade_below_phase_3_needs_the_merge(shards: Shards) -> None:
    with pytest.raises(BadInputError, match=r"shards 1\.\.N-1") as refused:
        check_merge(3, 2, None, shard_map_status)
    assert "--rollback" in (refused.value.hint or "")
    check_merge(3, 2, shards.urls[0], shard_map_status)  # trivial map: nothing was moved
    populate(shards, users=9, per_user=1)
    options = Options(map_ttl=MAP_TTL)
    run = Reshard(shards.urls[0], shards.urls, options)
    try:
        run.run()
        with pytest.raises(BadInputError, match="'done'"):
            check_merge(4, 2, shards.urls[0], shard_map_status)
        run.rollback()
    finally:
        run.close()
    # rolled back: every row is on shard 0 again
    check_merge(3, 2, shards.urls[0], shard_map_status)
    with pytest.raises(BadInputError, match="shard map"):
        check_merge(3, 2, "mysql+pymysql://root:@127.0.0.1:1/nowhere", shard_map_status)
