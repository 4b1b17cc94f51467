"""Which requests may be answered from (and stored in) the query cache.

Only canonical pages are cached, so anonymous traffic cannot grow the cache without bound:
the job list without a search or salary filter, a page size from ``PAGE_SIZES``, a
``skip`` on a page boundary within the first ``MAX_CACHED_PAGES`` pages, and no query
parameter outside the known ones (nor any given twice). Everything else is served from
the database and not stored. Per cache generation that is at most
18 SDG filters x 4 page sizes x 5 pages = 360 keys, each under ``CACHE_MAX_ENTRY_BYTES``.
"""

from __future__ import annotations

from collections.abc import Iterable

JOB_LIST_PARAMS = frozenset({"skip", "limit", "search", "sdg_tag", "salary_min", "salary_max"})
PAGE_SIZES = (10, 20, 50, 100)
MAX_CACHED_PAGES = 5


def jobs_page_key(
    *,
    query_names: Iterable[str],
    skip: int,
    limit: int,
    search: str | None,
    sdg_tag: int | None,
    salary_min: int | None,
    salary_max: int | None,
) -> str | None:
    """The cache key of a canonical job-list page, or None when the page is not cached."""
    names = list(query_names)
    if len(names) != len(set(names)) or not set(names) <= JOB_LIST_PARAMS:
        return None
    if search or salary_min is not None or salary_max is not None:
        return None
    if limit not in PAGE_SIZES or skip % limit or skip // limit >= MAX_CACHED_PAGES:
        return None
    return f"sdg={sdg_tag or 0}:limit={limit}:page={skip // limit}"
