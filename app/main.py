"""The app factory: ``uvicorn --factory app.main:create_app``."""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp

from app.api import errors
from app.api.router import api_router
from app.core.body_deadline import BodyDeadline
from app.core.breaker import CircuitOpen
from app.core.browser_security import SameOriginGuard, SecurityHeaders
from app.core.cache import StoreUnavailable
from app.core.db import Database
from app.core.login_throttle import LoginThrottle
from app.core.middleware import MetricsMiddleware
from app.core.request_body import BodyGuard
from app.core.service_names import ALL, resolve_service, runs
from app.core.settings import Settings
from app.services.ai_client import AiServiceUnavailable
from app.services.embed_batcher import EmbedBatcher
from app.services.embeddings import ModelUnavailable
from app.services.text_encoders import local_encoder
from app.state import AppState

log = logging.getLogger("app")
STATIC_DIR = Path(__file__).resolve().parent / "static"


def embeds_at_start(state: AppState) -> bool:
    """Whether this service embeds the demo data and warms its encoder at start-up: the
    whole app and matching do (the ai service loads its model in ``prepare``); web, auth and
    analytics never load the model at start."""
    return state.service in (ALL, "matching")


def prepare(state: AppState) -> None:
    """Start-up work: the ai service loads its model (it answers once that is done); with
    a database, migrate and seed the demo data (embedded by the services that match)."""
    from app.migrate import upgrade_all
    from app.services.demo_data import seed_if_empty

    if state.service == "ai":  # load the model before accepting connections
        local_encoder(state.settings).encode_one("warm up")
        return
    if state.db is None:
        return
    settings = state.settings
    if settings.migrates_on_start:
        upgrade_all(state.database)
    if settings.seeds_demo_data:
        seed_if_empty(state=state, embed=embeds_at_start(state))


def warm_up(state: AppState) -> None:
    """Load the model (or reach the AI service) and the job index off the request path."""
    try:
        state.embedder.encode_one("warm up")
        state.job_index.current()
    except Exception as error:
        log.warning("warm-up failed (%s); the first match request will retry", error)


class GreenMatchersApi(FastAPI):
    """FastAPI whose every answer carries the security headers, the 500 page included:
    Starlette answers an unhandled error in its outermost middleware, outside any added
    with ``add_middleware``, so the headers wrap the whole stack instead."""

    docs_enabled: bool = False

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(super().build_middleware_stack(), docs_enabled=self.docs_enabled)


def create_app(
    settings: Settings | None = None,
    *,
    database: Database | None = None,
    service: str | None = None,
) -> FastAPI:
    """The whole app, or one service of it (phase 4).

    ``service`` (else ``SERVICE_NAME``): ``all`` (default), ``web``, ``auth``, ``matching``,
    ``ai`` (``ai-ml``) or ``analytics``; each serves its own paths plus health and metrics.
    """
    settings = settings or Settings()
    if service is not None:
        settings = settings.model_copy(update={"service_name": resolve_service(service)})
    name = settings.service_name
    settings.check_session_secret()
    state = AppState.build(settings, database, name)
    batcher = EmbedBatcher(
        lambda texts: local_encoder(settings).encode(texts),
        max_batch=settings.ai_batch_texts,
        max_wait=settings.ai_batch_wait_ms / 1000,
        max_queued=max(settings.ai_queue_texts, settings.ai_max_texts, settings.ai_batch_texts),
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(prepare, state)
        if runs(name, "ai"):
            batcher.start()
        if embeds_at_start(state):
            threading.Thread(target=warm_up, args=(state,), name="warm-up", daemon=True).start()
        if state.match_tally is not None:
            state.match_tally.start()
        if state.publisher is not None:
            state.publisher.start()
        if state.outbox is not None and embeds_at_start(state):
            state.outbox.start()  # web alone starts it at its first posted job (nudge)
        yield
        batcher.stop()
        state.close()

    # The interactive docs load a CDN script: only on local instances, never in production.
    docs = settings.is_local
    app = GreenMatchersApi(
        title="Green Matchers" if name == ALL else f"Green Matchers: {name} service",
        summary="Green jobs and careers matched to what you care about (UN SDGs 1-17).",
        version="1.0.0",
        lifespan=lifespan,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
        responses=errors.COMMON_RESPONSES,
        # No "/path/" -> "/path" redirects: Starlette builds them from the Host header.
        redirect_slashes=False,
    )
    app.state.gm = state
    app.state.embed_batcher = batcher
    app.state.login_throttle = LoginThrottle.build(
        # The session store's Redis (noeviction): cache traffic cannot evict the counters.
        redis_url=settings.sessions_url,
        key_prefix=settings.redis_key_prefix,
        timeout_seconds=settings.redis_timeout_seconds,
        cool_down=settings.dependency_retry_seconds,
        per_account=settings.login_limits_per_account,
        per_client=settings.login_limits_per_client,
        per_registration=settings.register_limits_per_client,
    )
    app.include_router(api_router(name))
    # Outermost last: headers on every answer, then metrics, then the request guards.
    app.add_middleware(BodyGuard, max_bytes=settings.max_body_bytes)
    # Outside BodyGuard, which reads the body: its BodyTimeout reaches BodyDeadline first.
    app.add_middleware(BodyDeadline, seconds=settings.body_read_timeout_seconds)
    app.add_middleware(SameOriginGuard, trusted_origins=settings.trusted_origin_list)
    app.add_middleware(MetricsMiddleware, metrics=state.metrics)
    app.docs_enabled = docs  # the security headers wrap everything (GreenMatchersApi)
    errors.install(app)

    @app.exception_handler(StoreUnavailable)
    async def store_down(_request: Request, error: StoreUnavailable) -> JSONResponse:
        if not error.logged:  # the store's circuit breaker logs each outage once
            log.error("session store unavailable: %s", error)
        return JSONResponse(
            {"detail": "session store (Redis) is unavailable; please try again shortly"},
            status_code=503,
        )

    @app.exception_handler(ModelUnavailable)
    async def model_down(_request: Request, error: ModelUnavailable) -> JSONResponse:
        log.error("%s", error)
        return JSONResponse(
            {"detail": "the matching model is not available on this instance"}, status_code=503
        )

    @app.exception_handler(AiServiceUnavailable)
    async def ai_down(_request: Request, error: AiServiceUnavailable) -> JSONResponse:
        headers = {"Retry-After": str(error.retry_after)} if error.retry_after else None
        return JSONResponse({"detail": str(error)}, status_code=503, headers=headers)

    @app.exception_handler(DBAPIError)
    async def database_down(_request: Request, error: DBAPIError) -> JSONResponse:
        if not isinstance(error.orig, CircuitOpen):  # an open breaker logged its outage once
            log.error("database error: %s", error.orig)
        return JSONResponse(
            {"detail": "the database is unavailable; please try again shortly"}, status_code=503
        )

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, error: Exception) -> JSONResponse:
        # Starlette's last resort (its server-error middleware); the error is logged there.
        return JSONResponse({"detail": "internal error"}, status_code=500)

    @app.exception_handler(PoolTimeout)
    async def pool_exhausted(_request: Request, error: PoolTimeout) -> JSONResponse:
        # Every pooled connection is busy past DB_POOL_TIMEOUT: a load spike, not an outage
        # (the breaker stays closed). Retry-After: the pool wait itself, rounded up.
        log.warning("database pool exhausted: %s", error)
        return JSONResponse(
            {"detail": "the database is busy (no free connection); please retry shortly"},
            status_code=503,
            headers={"Retry-After": str(max(1, math.ceil(settings.db_pool_timeout)))},
        )

    if runs(name, "web"):

        @app.get("/", include_in_schema=False)
        def front_page() -> FileResponse:
            return FileResponse(STATIC_DIR / "index.html")

        app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
