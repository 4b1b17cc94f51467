"""The analytics service: figures read from replicas and every shard, cached briefly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from app.api.deps import StateDep
from app.schemas.analytics import ActivityOut, SdgOut
from app.services import analytics
from app.state import AppState

router = APIRouter(prefix="/api/analytics", tags=["analytics"])

CACHE_NAME = "analytics"
MAX_DAYS = 90


def cached_json(state: AppState, key: str, compute: Callable[[], BaseModel]) -> Response:
    """The figures under ``key``: from the cache, else computed once however many requests
    ask at the same time (the others wait for that result), then cached."""
    ttl = state.settings.analytics_cache_ttl_seconds
    cached = state.cache.get_raw(CACHE_NAME, key) if ttl else None
    if cached is None:

        def fill() -> str:
            raw = compute().model_dump_json()
            if ttl:
                state.cache.set_raw(CACHE_NAME, key, raw, ttl)
            return raw

        cached = str(state.analytics_flight.run(key, fill))
    return Response(cached, media_type="application/json")


@router.get("/sdg", response_model=SdgOut)
def per_sdg(state: StateDep) -> Response:
    """Jobs and applications per SDG 1-17; cached ANALYTICS_CACHE_TTL_SECONDS (60 s)."""
    return cached_json(
        state,
        "sdg",
        lambda: SdgOut.model_validate({"sdgs": analytics.per_sdg(state.database)}),
    )


@router.get("/activity", response_model=ActivityOut)
def activity(
    state: StateDep,
    days: Annotated[int, Query(ge=1, le=MAX_DAYS, description="days up to today (UTC)")] = 7,
) -> Response:
    """Postings, applications and match requests per UTC day for the last ``days`` days
    (1-90, default 7), today included; cached like ``/sdg``. Matches are counted by the
    matching service and written every MATCH_TALLY_FLUSH_SECONDS (10 s)."""
    today = datetime.now(UTC).date()

    def compute() -> ActivityOut:
        rows = analytics.activity(state.database, days=days, today=today)
        return ActivityOut.model_validate({"days": days, "activity": rows})

    return cached_json(state, f"activity:{today.isoformat()}:{days}", compute)
