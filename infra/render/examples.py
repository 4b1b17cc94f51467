"""Realistic placeholder contexts: what ``gm-infra render userdata`` shows without a stack.

The sizes match the phase profiles (2 readers from phase 2, 3 shards from phase 3) and the
names have the length of real ones, so the 16 KB check on these is a real check.
"""

from __future__ import annotations

from infra.render.userdata import WEB_SERVICE, Role, UserDataContext

ACCOUNT = "123456789012"
RDS_SUFFIX = "c9akciq32rlx.eu-west-1.rds.amazonaws.com"
READERS = 2
SHARDS = 3
# Phase 4: the fleets that embed through the AI service (infra/components/services.py).
AI_CALLERS = ("api", "worker", "service:matching")


def secret_arn(region: str, name: str) -> str:
    return f"arn:aws:secretsmanager:{region}:{ACCOUNT}:secret:{name}-Ab12Cd"


def rds_secret_arn(region: str, index: int) -> str:
    return secret_arn(region, f"rds!db-3f2c1a9e-7d4b-4c1e-9b8a-2f6e5d4c3b{index:02d}")


def example_context(
    role: Role,
    phase: int,
    service_name: str | None = None,
    region: str = "eu-west-1",
    artifact_bucket: str = f"green-matchers-artifacts-{ACCOUNT}",
    artifact_key: str = "app/green-matchers-app-0.1.0-3f9c2e1.tar.gz",
) -> UserDataContext:
    """A context shaped like phase ``phase``'s stack would pass it."""
    if role == "api" and phase == 4 and service_name is None:
        service_name = WEB_SERVICE  # what the stack writes for the ALB's default fleet
    readers = READERS if phase >= 2 else 0
    shards = SHARDS if phase >= 3 else 0
    suffix = RDS_SUFFIX.replace("eu-west-1", region)
    caller = (f"service:{service_name}" if role == "service" else role) in AI_CALLERS
    ai_url = (
        f"https://svc-0a1b2c3d4e5f67890.7d67968.vpc-lattice-svcs.{region}.on.aws"
        if phase == 4 and caller
        else ""
    )
    return UserDataContext(
        role=role,
        phase=phase,
        region=region,
        artifact_bucket=artifact_bucket,
        artifact_key=artifact_key,
        db_secret_arn=rds_secret_arn(region, 0),
        db_writer_host=f"gm-db.{suffix}",
        db_reader_hosts=tuple(f"gm-db-replica-{i + 1}.{suffix}" for i in range(readers)),
        db_shard_hosts=tuple(f"gm-db-shard-{i}-proxy.proxy-{suffix}" for i in range(shards)),
        db_shard_secret_arns=tuple(rds_secret_arn(region, i) for i in range(shards)),
        redis_host=f"master.gm-redis.x1y2z3.{region.replace('-', '')[:5]}.cache.amazonaws.com",
        redis_secret_arn=secret_arn(region, "green-matchers/redis-auth-token"),
        session_redis_host=(
            f"master.gm-sessions.x1y2z3.{region.replace('-', '')[:5]}.cache.amazonaws.com"
        ),
        session_redis_secret_arn=secret_arn(region, "green-matchers/redis-sessions-auth-token"),
        session_secret_arn=secret_arn(region, "green-matchers/session-key"),
        service_name=service_name,
        ai_service_url=ai_url,
        ai_service_auth="aws_iam" if ai_url else "",
    )
