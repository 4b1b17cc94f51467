"""All routers, collected in one place, and which service serves which."""

from __future__ import annotations

from types import ModuleType

from fastapi import APIRouter

from app.api.routes import ai, analytics, auth, careers, employers, health, jobs, match
from app.core.service_names import ALL

# Each service's routers (besides health and metrics, which every service has).
SERVICE_ROUTES: dict[str, tuple[ModuleType, ...]] = {
    "web": (employers, jobs, careers),
    "auth": (auth,),
    "matching": (match,),
    "ai": (ai,),
    "analytics": (analytics,),
}
ORDER = (auth, employers, jobs, careers, match, ai, analytics)


def api_router(service: str = ALL) -> APIRouter:
    """The routes of ``service`` (resolved name; ``all`` is every one)."""
    wanted = ORDER if service == ALL else SERVICE_ROUTES[service]
    router = APIRouter()
    router.include_router(health.router)
    for module in wanted:
        router.include_router(module.router)
    return router
