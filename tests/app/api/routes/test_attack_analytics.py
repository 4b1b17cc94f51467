"""/api/analytics/* under hostile queries: every spelling of ``days`` is a number 1-90 or
a 422 naming it, variants of one value share one cache entry (no key poisoning), and a
burst on a cold cache computes the figures once."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.services import analytics
from tests.app.conftest import embedded_settings


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = embedded_settings(tmp_path_factory.mktemp("analytics"), demo_data=False)
    with TestClient(create_app(settings, service="analytics")) as client:
        yield client


def cache_keys(client: TestClient) -> set[str]:
    store = client.app.state.gm.cache.store  # type: ignore[attr-defined]
    return {key for key in store._data if ":analytics:" in key or key.startswith("cache:")}


@pytest.mark.parametrize(
    "query",
    ["days=0", "days=-1", "days=91", "days=1e3", "days=", "days=true", "days=NaN", "days=0x10",
     "days=%00", "days=99999999999999999999999999", "days=%D9%A7", "days=%EF%BC%97"],
)  # fmt: skip
def test_bad_days_are_422_naming_the_parameter(client: TestClient, query: str) -> None:
    answer = client.get(f"/api/analytics/activity?{query}")
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["loc"] == ["query", "days"]


@pytest.mark.parametrize("query", ["days=7", "days=007", "days=%2B7", "days=7.0", "days=%207"])
def test_spellings_of_one_value_share_one_cache_entry(client: TestClient, query: str) -> None:
    before = cache_keys(client)
    answer = client.get(f"/api/analytics/activity?{query}")
    assert answer.status_code == 200
    assert answer.json()["days"] == 7 and len(answer.json()["activity"]) == 7
    new = cache_keys(client) - before
    assert all(key.endswith(":7") for key in new) and len(cache_keys(client)) <= 2


def test_unknown_and_repeated_parameters_add_no_entries(client: TestClient) -> None:
    client.get("/api/analytics/sdg")
    client.get("/api/analytics/activity?days=3")
    before = cache_keys(client)
    for query in ["x=1", "x=2&y=3", "DAYS=5", "days[]=5", "sdg=1"]:
        assert client.get(f"/api/analytics/sdg?{query}").status_code == 200
    last = client.get("/api/analytics/activity?days=90&days=3")  # the last one counts
    assert last.status_code == 200 and last.json()["days"] == 3
    assert cache_keys(client) == before


def test_a_cache_hit_is_the_same_answer_as_the_miss(client: TestClient) -> None:
    first = client.get("/api/analytics/activity?days=11")
    second = client.get("/api/analytics/activity?days=11")
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert first.headers["content-type"] == second.headers["content-type"] == "application/json"


def test_other_methods_are_405(client: TestClient) -> None:
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        answer = client.request(method, "/api/analytics/sdg", json={})
        assert answer.status_code == 405, (method, answer.status_code)


def test_a_burst_on_a_cold_cache_computes_once(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Twenty requests when the entry is missing: one runs the queries, the others wait
    for its result (they used to run them all: a stampede on every expiry)."""
    calls: list[int] = []
    slow = threading.Event()
    real = analytics.activity

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(1)
        slow.wait(0.3)  # long enough for the burst to arrive while it runs
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(analytics, "activity", counted)
    answers: list[int] = []

    def ask() -> None:
        answers.append(client.get("/api/analytics/activity?days=29").status_code)

    threads = [threading.Thread(target=ask) for _ in range(20)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert answers == [200] * 20
    assert len(calls) == 1
    assert time.monotonic() - started < 10
