"""The analytics service: figures read from replicas and every shard, cached briefly."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.api.deps import StateDep
from app.schemas.analytics import ActivityOut, SdgOut
from app.services import analytics

router = APIRouter(prefix="/api/analytics", tags=["analytics"])

CACHE_NAME = "analytics"
MAX_DAYS = 90


@router.get("/sdg")
def per_sdg(state: StateDep) -> SdgOut:
    """Jobs and applications per SDG 1-17; cached ANALYTICS_CACHE_TTL_SECONDS (60 s)."""
    ttl = state.settings.analytics_cache_ttl_seconds
    cached = state.cache.get_raw(CACHE_NAME, "sdg") if ttl else None
    if cached is not None:
        return Response(cached, media_type="application/json")  # type: ignore[return-value]
    result = SdgOut.model_validate({"sdgs": analytics.per_sdg(state.database)})
    if ttl:
        state.cache.set_raw(CACHE_NAME, "sdg", result.model_dump_json(), ttl)
    return result


@router.get("/activity")
def activity(
    state: StateDep,
    days: Annotated[int, Query(ge=1, le=MAX_DAYS, description="days up to today (UTC)")] = 7,
) -> ActivityOut:
    """Postings, applications and match requests per UTC day for the last ``days`` days
    (1-90, default 7), today included; cached like ``/sdg``. Matches are counted by the
    matching service and written every MATCH_TALLY_FLUSH_SECONDS (10 s)."""
    today = datetime.now(UTC).date()
    key = f"activity:{today.isoformat()}:{days}"
    ttl = state.settings.analytics_cache_ttl_seconds
    cached = state.cache.get_raw(CACHE_NAME, key) if ttl else None
    if cached is not None:
        return Response(cached, media_type="application/json")  # type: ignore[return-value]
    rows = analytics.activity(state.database, days=days, today=today)
    result = ActivityOut.model_validate({"days": days, "activity": rows})
    if ttl:
        state.cache.set_raw(CACHE_NAME, key, result.model_dump_json(), ttl)
    return result
