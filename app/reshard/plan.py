"""Pure calculations of a reshard: user ranges and id blocks (no database)."""

from __future__ import annotations

from collections.abc import Iterable

INT_MAX = 2**31 - 1  # applications.id is a signed INT


def split_ranges(user_rows: Iterable[tuple[int, int]], range_rows: int) -> list[int]:
    """Range starts for users in ``(user_id, rows)`` order, each range about ``range_rows``.

    The first range starts at 0 and the last one is open, so every user id, present or future,
    falls in exactly one range. A user's rows are never split across ranges.
    """
    starts = [0]
    filled = 0
    for user_id, rows in user_rows:
        if filled >= range_rows and user_id > starts[-1]:
            starts.append(user_id)
            filled = 0
        filled += rows
    return starts


def id_block(shards: int) -> int:
    """Size of each shard's id block: target k allocates new ids from ``k * id_block``.

    Ids are global (a copied row keeps its id), so targets must never allocate an id that the
    source allocates or still holds: the source keeps block 0.
    """
    return INT_MAX // shards


def bounds(starts: list[int], index: int) -> tuple[int, int | None]:
    """``[lo, hi)`` of range ``index`` (``hi`` None for the last, open range)."""
    hi = starts[index + 1] if index + 1 < len(starts) else None
    return starts[index], hi
