"""The plan cache: a hit equals a fresh recording; any input change misses."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.plan import cache
from infra.plan.build import cached_plan
from infra.plan.model import Plan
from infra.program import REPO_ROOT
from infra.settings import settings_from_config
from infra.stack_files import settings_for_phase


def test_key_follows_settings() -> None:
    base = settings_for_phase(2)
    bigger = settings_from_config(
        "phase2",
        {
            "aws:region": "us-east-1",
            "green-matchers:phase": 2,
            "green-matchers:api": {"maxSize": 12},
        },
    )
    assert cache.plan_key(base, REPO_ROOT) == cache.plan_key(settings_for_phase(2), REPO_ROOT)
    assert cache.plan_key(base, REPO_ROOT) != cache.plan_key(bigger, REPO_ROOT)


def test_key_follows_program_sources(tmp_path: Path) -> None:
    (tmp_path / "infra").mkdir()
    (tmp_path / "app").mkdir()
    source = tmp_path / "infra" / "program.py"
    source.write_text("A = 1\n")
    settings = settings_for_phase(1)
    before = cache.plan_key(settings, tmp_path)
    source.write_text("A = 2\n")
    assert cache.plan_key(settings, tmp_path) != before


def test_a_hit_is_the_recorded_plan(plans: dict[int, Plan], tmp_path: Path) -> None:
    cache.store("k", plans[1], tmp_path)
    found = cache.load_cached("k", tmp_path)
    assert found is not None and found.to_json() == plans[1].to_json()
    (tmp_path / "bad.json").write_text("{")
    assert cache.load_cached("bad", tmp_path) is None


def test_cache_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GM_INFRA_PLAN_CACHE", "0")
    monkeypatch.setattr(cache, "store", lambda *a: pytest.fail("stored with the cache off"))
    monkeypatch.setattr(cache, "load_cached", lambda *a: pytest.fail("read with the cache off"))
    assert cached_plan(settings_for_phase(1)).phase == 1
