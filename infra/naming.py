"""Physical names of stateful resources: stable per stack, within AWS's rules."""

from __future__ import annotations

import re


def physical_prefix(stack: str) -> str:
    """``gm-<stack>`` in lower case, letters, digits and single hyphens only."""
    cleaned = re.sub(r"[^a-z0-9]+", "-", stack.lower()).strip("-") or "stack"
    return f"gm-{cleaned}"[:30].rstrip("-")


def db_identifier(stack: str, shard: int = 0, replica: int | None = None) -> str:
    """RDS identifier: shard 0 is the phase-1 database, so its name never changes."""
    name = f"{physical_prefix(stack)}-db"
    if shard > 0:
        name += f"-shard-{shard}"
    if replica is not None:
        name += f"-replica-{replica}"
    return name


def redis_group_id(stack: str) -> str:
    """ElastiCache replication group id (at most 40 characters)."""
    return f"{physical_prefix(stack)}-redis"[:40]


def session_group_id(stack: str) -> str:
    """The session store's replication group id (at most 40 characters)."""
    return f"{physical_prefix(stack)}-sessions"[:40]
