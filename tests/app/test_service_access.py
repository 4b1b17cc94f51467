"""The phase-4 roles' secrets (``infra/render/access.py``) held against what each service's
code opens: a service the table gives no database builds none, one given only shard 0
never reaches for another shard, and one given no sessions never reads a session cookie.
If the app starts using more, these fail before an instance is refused a secret."""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from app.api.deps import get_login
from app.api.router import SERVICE_ROUTES
from app.core.service_names import opens_database, resolve_service, signs_sessions
from app.core.settings import Settings
from app.main import create_app
from infra.render.access import SERVICE_ACCESS, WORKER

SERVICES = sorted(name for name in SERVICE_ACCESS if name != WORKER)
# Database calls that reach a shard other than shard 0 (app/core/db.py).
SHARD_CALLS = re.compile(r"\.shard_for\(|\.shard_session\(|\.shard_read_session\(|\.shards\b")
# What a route uses of the cache's Redis: the query cache, the indexes (their generations).
CACHE_USES = re.compile(r"state\.(cache|store|job_index|career_index)\b")


def dependency_calls(dependant: Dependant) -> set[Callable[..., Any]]:
    found: set[Callable[..., Any]] = set()
    for sub in dependant.dependencies:
        if sub.call is not None:
            found.add(sub.call)
        found |= dependency_calls(sub)
    return found


def reads_sessions(service: str) -> bool:
    """Whether any route of ``service`` depends on the signed-in user (the session cookie)."""
    modules = SERVICE_ROUTES[service]
    routes = [r for m in modules for r in m.router.routes if isinstance(r, APIRoute)]
    assert routes, service
    return any(get_login in dependency_calls(route.dependant) for route in routes)


def app_modules(modules: tuple[ModuleType, ...]) -> set[ModuleType]:
    """``modules`` and every ``app.`` module they import, transitively (from their globals)."""
    seen: set[ModuleType] = set()
    todo = list(modules)
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        for value in vars(module).values():
            owner = (
                value
                if inspect.ismodule(value)
                else sys.modules.get(getattr(value, "__module__", "") or "")
            )
            if owner is not None and owner.__name__.startswith("app.") and owner not in seen:
                todo.append(owner)
    return seen


def reaches_shards(service: str) -> bool:
    """Whether ``service``'s routes, or the app services they use, ask the database for a
    shard other than shard 0 (the database layer and readiness serve every service alike)."""
    modules = app_modules(SERVICE_ROUTES[service])
    return any(
        SHARD_CALLS.search(Path(m.__file__ or "").read_text())
        for m in modules
        if m.__name__.startswith(("app.api.routes.", "app.services."))
        and m.__name__ != "app.api.routes.health"
    )


def uses_cache(service: str) -> bool:
    """Whether a route of ``service`` uses the query cache or the vector indexes."""
    return any(
        CACHE_USES.search(Path(m.__file__ or "").read_text()) for m in SERVICE_ROUTES[service]
    )


@pytest.mark.parametrize("name", SERVICES)
def test_the_roles_table_matches_what_each_service_opens(name: str) -> None:
    access = SERVICE_ACCESS[name]
    service = resolve_service(name)
    assert opens_database(service) == (access.database != "none")
    assert signs_sessions(service) == access.sessions
    assert reads_sessions(service) == access.sessions
    assert uses_cache(service) == access.cache
    if access.database != "none":
        assert reaches_shards(service) == (access.database == "all")


def test_the_ai_service_builds_no_database(tmp_path: Path) -> None:
    settings = Settings(app_env="local", data_dir=tmp_path, database_url="", redis_url="")
    state = create_app(settings, service="ai-ml").state.gm
    assert state.db is None


@pytest.mark.parametrize(("name", "starts"), [("matching", True), ("auth", False), ("web", False)])
def test_production_wants_the_session_key_only_where_sessions_are_signed(
    tmp_path: Path, name: str, starts: bool
) -> None:
    settings = Settings(
        app_env="production",
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'app.db'}",
        service_name=name,
    )
    if starts:
        assert create_app(settings).state.gm.service == name
    else:
        with pytest.raises(ValueError, match="SESSION_SECRET"):
            create_app(settings)


@pytest.mark.parametrize(("name", "counts"), [("matching", False), ("ai", False), ("auth", True)])
def test_only_services_with_sessions_count_active_users(
    tmp_path: Path, name: str, counts: bool
) -> None:
    """Active users are counted in the session Redis; a service without one would publish a
    wrong figure (its own zero), so it publishes none."""
    settings = Settings(
        app_env="local", data_dir=tmp_path, redis_url="", metrics_namespace="GreenMatchers"
    )
    state = create_app(settings, service=name).state.gm
    assert (state.metrics.active_users is not None) == counts
    state.close()
