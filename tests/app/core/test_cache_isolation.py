"""Cache and session stores do not share fate (issue 11, class 6).

Anonymous requests with arbitrary query strings cannot fill the cache (only canonical
pages are cached, each under a size cap), and sessions live in their own Redis, so cache
pressure that makes the cache's Redis evict cannot log anyone out.
"""

from __future__ import annotations

import random
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient

from app.core.cache import MemoryStore, QueryCache
from app.core.cache_policy import MAX_CACHED_PAGES, PAGE_SIZES, jobs_page_key
from app.main import create_app
from tests.app.conftest import Api, embedded_settings
from tests.app.live_server import RedisServer, require

PREFIX = "gmiso:"


def key(**overrides: object) -> str | None:
    values: dict[str, object] = {
        "query_names": [], "skip": 0, "limit": 20, "search": None, "sdg_tag": None,
        "salary_min": None, "salary_max": None,
    }  # fmt: skip
    values.update(overrides)
    return jobs_page_key(**values)  # type: ignore[arg-type]


def test_only_canonical_job_pages_have_a_cache_key() -> None:
    assert key() == "sdg=0:limit=20:page=0"
    assert key(query_names=["sdg_tag", "skip"], sdg_tag=7, skip=40) == "sdg=7:limit=20:page=2"
    assert key(search="solar") is None  # free text: unbounded
    assert key(salary_min=1) is None and key(salary_max=5) is None
    assert key(limit=21) is None  # page sizes are a short list
    assert key(skip=5) is None  # off a page boundary
    assert key(skip=20 * MAX_CACHED_PAGES) is None  # deep pages
    assert key(query_names=["utm_source"]) is None  # unknown parameter
    assert key(query_names=["skip", "skip"]) is None  # repeated parameter
    canonical = {
        key(sdg_tag=sdg, limit=size, skip=page * size)
        for sdg in [None, *range(1, 18)]
        for size in PAGE_SIZES
        for page in range(MAX_CACHED_PAGES)
    }
    assert None not in canonical and len(canonical) == 18 * len(PAGE_SIZES) * MAX_CACHED_PAGES


def test_entries_over_the_size_cap_are_not_stored() -> None:
    cache = QueryCache(MemoryStore(), max_entry_bytes=1000)
    cache.set_raw("jobs", "small", "x" * 1000, ttl=60)
    cache.set_raw("jobs", "large", "x" * 1001, ttl=60)
    cache.set_raw("jobs", "wide", "é" * 600, ttl=60)  # 600 characters, 1,200 bytes
    assert cache.get_raw("jobs", "small") is not None
    assert cache.get_raw("jobs", "large") is None and cache.get_raw("jobs", "wide") is None


@pytest.fixture
def two_redis(tmp_path: Path) -> Iterator[tuple[RedisServer, RedisServer]]:
    """A small, evicting cache Redis and a noeviction session Redis, as the stacks deploy."""
    require(RedisServer.missing())
    cache, sessions = RedisServer(tmp_path / "cache"), RedisServer(tmp_path / "sessions")
    cache.workdir.mkdir()
    sessions.workdir.mkdir()
    cache.start("--maxmemory", "2mb", "--maxmemory-policy", "allkeys-lru")
    sessions.start("--maxmemory", "64mb", "--maxmemory-policy", "noeviction")
    yield cache, sessions
    cache.stop()
    sessions.stop()


def random_query(rng: random.Random) -> str:
    word = "".join(rng.choices(string.ascii_letters, k=rng.randint(1, 40)))
    options = [
        f"search={word}",
        f"skip={rng.randint(0, 5000)}",
        f"limit={rng.randint(1, 100)}",
        f"salary_min={rng.randint(0, 10**6)}",
        f"{word}={word}",
        f"sdg_tag={rng.randint(1, 17)}&sdg_tag={rng.randint(1, 17)}",
        f"skip={rng.choice([0, 20, 40])}&{word}=1",
    ]
    return "&".join(rng.sample(options, rng.randint(1, 3)))


def test_arbitrary_queries_do_not_fill_the_cache_nor_evict_sessions(
    tmp_path: Path, two_redis: tuple[RedisServer, RedisServer]
) -> None:
    cache_server, session_server = two_redis
    settings = embedded_settings(
        tmp_path,
        redis_url=cache_server.url,
        session_redis_url=session_server.url,
        redis_key_prefix=PREFIX,
        demo_data=False,
    )
    with TestClient(create_app(settings)) as client:
        api = Api(client)
        member, _ = api.login_as("candidate")
        rng = random.Random(11)
        for _ in range(200):
            assert client.get(f"/api/jobs?{random_query(rng)}").status_code in (200, 422)
        cache_redis = redis.Redis.from_url(cache_server.url)
        page_keys = list(cache_redis.scan_iter(f"{PREFIX}cache:jobs:*:*"))
        # three canonical pages at most (skip 0, 20, 40 with the default limit) were cached
        assert len(page_keys) <= 3, page_keys
        # Cache pressure far beyond the cache's memory: it evicts, sessions are elsewhere.
        junk = "j" * 50_000
        for i in range(400):
            cache_redis.set(f"{PREFIX}cache:junk:{i}", junk)
        assert cache_redis.info("stats")["evicted_keys"] > 0
        assert member.get("/api/auth/me").status_code == 200
        session_redis = redis.Redis.from_url(session_server.url)
        assert session_redis.config_get("maxmemory-policy")["maxmemory-policy"] == "noeviction"
        assert list(session_redis.scan_iter(f"{PREFIX}session:*"))
        assert not list(cache_redis.scan_iter(f"{PREFIX}session:*"))
