from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from app.api.deps import StateDep
from app.core.cache import StoreUnavailable

router = APIRouter(tags=["health"])


@router.get("/health")
def health() -> dict[str, str]:
    """Liveness for the load balancer: touches nothing."""
    return {"status": "ok"}


@router.get("/health/ready", responses={503: {"description": "a dependency is down"}})
def ready(state: StateDep) -> JSONResponse:
    """Writer, readers, shards and Redis reachable; else 503 naming what is down."""
    checks = state.database.ping()
    if state.settings.redis_url:
        try:
            state.store.ping()
            checks["redis"] = None
        except StoreUnavailable as error:
            checks["redis"] = str(error)[:200]
    down = {name: error for name, error in checks.items() if error is not None}
    body = {
        "status": "unavailable" if down else "ready",
        "checks": {name: ("down" if error else "ok") for name, error in checks.items()},
        "down": down,
    }
    return JSONResponse(body, status_code=503 if down else 200)


@router.get("/metrics", include_in_schema=False)
def metrics(state: StateDep) -> Response:
    return Response(generate_latest(state.metrics.registry), media_type=CONTENT_TYPE_LATEST)
