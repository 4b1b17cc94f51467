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


# EC2 CreateSecurityGroup GroupDescription and the rules' Description: "Up to 255 characters
# in length. Allowed characters are a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*"
# (EC2 API Reference). EC2 refuses anything else, so the components check when they build.
SG_TEXT = re.compile(r"^[A-Za-z0-9 ._\-:/()#,@\[\]+=&;{}!$*]{0,255}$")


def sg_text(text: str) -> str:
    """``text`` if EC2 accepts it as a security group (rule) description, else ValueError."""
    if not SG_TEXT.match(text):
        bad = "".join(sorted({c for c in text if not SG_TEXT.match(c)}))
        problem = f"characters {bad!r}" if bad else f"{len(text)} characters (at most 255)"
        raise ValueError(
            f"security group description {text!r} has {problem}: EC2 allows only "
            "a-z A-Z 0-9, space and ._-:/()#,@[]+=&;{}!$*"
        )
    return text


def dashboard_name(text: str) -> str:
    """A CloudWatch dashboard name for any stack name Pulumi allows (letters, digits, ``-``,
    ``_`` and ``.``): PutDashboard allows only letters, digits, ``-`` and ``_``, 1-255."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", text)[:255]


def session_group_id(stack: str) -> str:
    """The session store's replication group id (at most 40 characters)."""
    return f"{physical_prefix(stack)}-sessions"[:40]
