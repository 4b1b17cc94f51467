"""The services one app can run as (phase 4), and the names the infrastructure uses for them.

``all`` (or no name) is the whole app: phases 1-3 and the embedded default. Each other
name serves only its own paths plus the health and metrics endpoints.
"""

from __future__ import annotations

ALL = "all"
SERVICES = ("web", "auth", "matching", "ai", "analytics")
# The phase-4 stacks write SERVICE_NAME with the fleet's name (infra/components/services.py).
INFRA_NAMES = {"ai-ml": "ai"}
# The services that read or sign session cookies (sign-in, employers, applications); only
# they need SESSION_SECRET and the session Redis. The phase-4 instance roles follow this
# and ``opens_database`` (infra/render/access.py).
SIGNS_IN = ("web", "auth")
NO_DATABASE = ("ai",)  # the model only


class UnknownService(ValueError):
    """A service name that is none of ``SERVICES``, ``all`` or an infrastructure alias."""


def allowed_names() -> list[str]:
    return [ALL, *SERVICES, *INFRA_NAMES]


def resolve_service(name: str | None) -> str:
    """``None``/empty -> ``all``; ``ai-ml`` -> ``ai``; an unknown name raises (listing the
    allowed ones)."""
    clean = (name or "").strip().lower() or ALL
    clean = INFRA_NAMES.get(clean, clean)
    if clean != ALL and clean not in SERVICES:
        raise UnknownService(f"unknown service {name!r}; allowed: {', '.join(allowed_names())}")
    return clean


def runs(service: str, part: str) -> bool:
    """Whether ``service`` (resolved) serves ``part`` (one of ``SERVICES``)."""
    return service in (ALL, part)


def signs_sessions(service: str) -> bool:
    """Whether ``service`` (resolved) reads or signs session cookies."""
    return service == ALL or service in SIGNS_IN


def opens_database(service: str) -> bool:
    """Whether ``service`` (resolved) opens the database (every one but the ai service)."""
    return service not in NO_DATABASE
