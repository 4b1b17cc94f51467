from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Request, Response, status
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from app.api.deps import StateDep
from app.state import AppState

router = APIRouter(tags=["health"])


@router.get("/health")
async def health() -> dict[str, str]:
    """Liveness for the load balancer: touches nothing.

    ``async`` on purpose: it runs on the event loop, so it answers even when every thread
    of the request pool is waiting on a dependency.
    """
    return {"status": "ok"}


@router.get(
    "/health/ready",
    responses={
        200: {"description": "ready, or degraded (an optional dependency is down)"},
        503: {"description": "a required dependency (writer, shard, session store) is down"},
    },
)
async def ready(request: Request) -> JSONResponse:
    """Every dependency probed in parallel within about 2 s: ``ready``, ``degraded`` (a
    replica or the cache is down; still 200) or ``unavailable`` (503), with a generic
    cause per dependency that is down."""
    # Not StateDep: a sync dependency would wait for a thread of the request pool.
    state: AppState = request.app.state.gm
    body, code = await state.readiness.report()
    return JSONResponse(body, status_code=code)


def require_metrics_token(
    state: StateDep, authorization: Annotated[str | None, Header()] = None
) -> None:
    """Internal endpoints answer only ``Authorization: Bearer <METRICS_TOKEN>``.

    The check is in the endpoint, so every spelling of the path that reaches it (encoded,
    doubled slashes, trailing slash) is checked; without a token configured they are off.
    """
    expected = state.settings.metrics_token
    if not expected:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Not Found")
    scheme, _, given = (authorization or "").partition(" ")
    good = hmac.compare_digest(given.strip().encode(), expected.encode())
    if scheme.lower() != "bearer" or not good:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "a bearer token is required",
            headers={"WWW-Authenticate": "Bearer"},
        )


@router.get("/metrics", include_in_schema=False, dependencies=[Depends(require_metrics_token)])
def metrics(state: StateDep) -> Response:
    return Response(generate_latest(state.metrics.registry), media_type=CONTENT_TYPE_LATEST)
