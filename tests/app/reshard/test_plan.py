"""Pure calculations of a reshard: user ranges, id blocks, where a user's rows live."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.core.shard_map import Snapshot, shard_index
from app.reshard.plan import INT_MAX, bounds, id_block, split_ranges


def test_ranges_cover_every_user_and_never_split_one() -> None:
    starts = split_ranges([(1, 5), (2, 5), (3, 5), (10, 5), (11, 9), (12, 1)], range_rows=10)
    assert starts == [0, 3, 11]  # users 1-2 (10 rows), 3 and 10 (10 rows), 11 onwards
    assert bounds(starts, 0) == (0, 3) and bounds(starts, 2) == (11, None)  # last one open


def test_no_rows_is_one_open_range() -> None:
    assert split_ranges([], range_rows=100) == [0]


@given(
    st.lists(st.tuples(st.integers(1, 10_000), st.integers(1, 50)), unique_by=lambda t: t[0]),
    st.integers(1, 500),
)
def test_ranges_are_sorted_and_about_the_size_asked(rows: list[tuple[int, int]], size: int) -> None:
    rows.sort()
    starts = split_ranges(rows, size)
    assert starts[0] == 0 and starts == sorted(set(starts))
    snapshot = Snapshot(1, 3, "done", tuple(starts), tuple("target" for _ in starts))
    for user, _ in rows:  # each user falls in exactly the range whose bounds hold it
        lo, hi = bounds(starts, snapshot.range_of(user))
        assert lo <= user and (hi is None or user < hi)
    per_range: dict[int, int] = {}
    for user, count in rows:
        per_range[snapshot.range_of(user)] = per_range.get(snapshot.range_of(user), 0) + count
    assert all(total < size + 50 for total in per_range.values())


def test_id_blocks_fit_a_signed_int_and_do_not_overlap() -> None:
    for shards in range(2, 9):
        block = id_block(shards)
        assert (shards - 1) * block + block - 1 <= INT_MAX


def test_shard_index_keeps_source_ranges_on_shard_zero() -> None:
    assert [shard_index("source", u, 3) for u in (1, 2, 3)] == [0, 0, 0]
    assert [shard_index("target", u, 3) for u in (1, 2, 3)] == [1, 2, 0]
    trivial = Snapshot(1, 0, "idle", (0,), ("source",))
    assert trivial.shard_of(7) == 0
