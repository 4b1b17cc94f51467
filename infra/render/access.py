"""Which runtime secrets each fleet reads: what its role may read and its boot script fetches.

Phases 1-3 run the whole app on every fleet, which opens everything. Phase 4 splits it;
each service opens only what its code uses (``app/state.py``, ``app/api/routes/``):

- ``web`` (the api fleet): jobs and careers on shard 0, applications on every shard, the
  query cache and Celery broker (the cache's Redis), and the sessions of signed-in users.
- ``auth``: users and employers on shard 0, and the sessions (their Redis and signing key);
  the login throttle lives in the session Redis too. No query cache.
- ``matching``: jobs on shard 0 (replicas), its daily tally on the writer, the job index's
  generation in the cache's Redis. No sessions: ``/api/match`` needs no login.
- ``ai-ml``: the model only, no database, no Redis, no sessions.
- ``analytics``: replicas and every shard (applications), its answers in the cache's Redis.
- ``worker`` (Celery): re-embeds jobs and careers on shard 0; the broker and the index
  generations in the cache's Redis.

Every fleet has a role of its own that reads exactly what its boot script fetches (the api
fleet ``gm-instance``, the workers ``gm-worker-instance``, each phase-4 service its own).
``tests/app/test_service_access.py`` holds this table against the app.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

Databases = Literal["none", "primary", "all"]
T = TypeVar("T")


@dataclass(frozen=True)
class Access:
    """What a fleet opens. ``database``: ``primary`` is shard 0 (its writer and replicas,
    one secret), ``all`` adds every other shard. ``cache``: the cache's Redis (REDIS_URL).
    ``sessions``: the session Redis and the session signing key."""

    database: Databases
    cache: bool
    sessions: bool

    @property
    def migrates(self) -> bool:
        """Only a fleet that reaches every database runs the migrations (each boot, once per
        artifact): one that sees only shard 0 would mark the artifact migrated for all."""
        return self.database == "all"


FULL = Access("all", cache=True, sessions=True)
WORKER = "worker"
# Phase 4, by fleet: the service fleets' names (infra/components/services.py), "web" (the
# api fleet) and "worker".
SERVICE_ACCESS: dict[str, Access] = {
    "web": FULL,
    "auth": Access("primary", cache=False, sessions=True),
    "matching": Access("primary", cache=True, sessions=False),
    "ai-ml": Access("none", cache=False, sessions=False),
    "analytics": Access("all", cache=True, sessions=False),
    WORKER: Access("primary", cache=True, sessions=False),
}


def access_for(role: str, phase: int, service_name: str | None) -> Access:
    """What a fleet opens: everything before phase 4, its service's needs in phase 4."""
    if phase < 4:
        return FULL
    return SERVICE_ACCESS[WORKER if role == WORKER else service_name or "web"]


def run_command_fleet(phase: int) -> str:
    """The ``Role`` tag of the fleet SSM Run Command reaches (the reshard runs there): one
    whose app.env holds every shard's URL. The workers up to phase 3; in phase 4 the workers
    open only shard 0, so the first split-off service that opens every shard (analytics),
    which is off the user-facing paths that matter most. Only its role may receive commands
    (the ``ec2messages`` calls, ``infra/components/iam.py``)."""
    if access_for(WORKER, phase, None).database == "all":
        return WORKER
    for name, access in SERVICE_ACCESS.items():
        if access.database == "all" and name not in ("web", WORKER):
            return f"service-{name}"
    return "api"


def readable(
    access: Access, shards: Sequence[T], cache: T, session_redis: T, session_key: T
) -> list[T]:
    """The secrets a fleet with ``access`` reads, from the stack's: the shards' (shard 0
    first), the cache's Redis token, the session Redis token and the session signing key."""
    found: list[T] = []
    if access.database == "primary":
        found += shards[:1]
    elif access.database == "all":
        found += shards
    if access.cache:
        found.append(cache)
    if access.sessions:
        found += [session_redis, session_key]
    return found
