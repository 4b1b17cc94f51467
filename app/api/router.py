"""All routers, collected in one place, and which service serves which."""

from __future__ import annotations

from types import ModuleType

from fastapi import APIRouter

from app.api.routes import (
    ai,
    analytics,
    auth,
    careers,
    embeddings,
    employers,
    health,
    jobs,
    match,
)
from app.core.service_names import ALL

# Each service's routers (besides health and metrics, which every service has).
SERVICE_ROUTES: dict[str, tuple[ModuleType, ...]] = {
    "web": (employers, jobs, careers),
    "auth": (auth,),
    "matching": (match,),
    "ai": (ai, embeddings),
    "analytics": (analytics,),
}
ORDER = (auth, employers, jobs, careers, match, ai, embeddings, analytics)


def api_router(service: str = ALL) -> APIRouter:
    """The routes of ``service`` (resolved name; ``all`` is every one)."""
    wanted = ORDER if service == ALL else SERVICE_ROUTES[service]
    router = APIRouter()
    router.include_router(health.router)
    for module in wanted:
        router.include_router(module.router)
    return router


# Served by every service, never routed by path: the load balancer's health check, the
# readiness probe and the bearer-token metrics (the ALB answers /metrics itself with 404).
SHARED_PATHS = frozenset({"/health", "/health/ready", "/metrics"})
FRONT_PAGE_PATHS = frozenset({"/", "/static/{path}"})  # the web service's (app/main.py)


def service_paths(service: str) -> set[str]:
    """The paths ``service`` serves besides ``SHARED_PATHS`` (``{name}`` for parameters)."""
    modules = ORDER if service == ALL else SERVICE_ROUTES[service]
    paths = {route.path for module in modules for route in module.router.routes}
    if service in (ALL, "web"):
        paths |= FRONT_PAGE_PATHS
    return paths
