"""EC2 refuses user data over 16 KB: check the settings' worst case before declaring anything.

The rendered size grows with the hosts and secret ARNs the script carries (replicas of
shard 0, every shard), so it is measured with placeholders as long as AWS's real names.
"""

from __future__ import annotations

from infra.errors import SettingsError
from infra.naming import db_identifier, physical_prefix, redis_group_id, session_group_id
from infra.render.userdata import WEB_SERVICE, Role, UserDataContext, render_userdata
from infra.settings import PROJECT, SERVICE_NAMES, Settings

EC2_USER_DATA_LIMIT = 16 * 1024
ACCOUNT = "123456789012"


def _secret_arn(settings: Settings, name: str) -> str:
    # Pulumi appends 7 characters to the name, Secrets Manager 6 more.
    return f"arn:aws:secretsmanager:{settings.region}:{ACCOUNT}:secret:{name}-abcdefg-AbCdEf"


def _rds_host(settings: Settings, name: str, proxy: bool = False) -> str:
    return f"{name}.{'proxy-' if proxy else ''}c0a1b2c3d4e5.{settings.region}.rds.amazonaws.com"


def _lattice_url(settings: Settings) -> str:
    """The AI service's Lattice URL as long as AWS makes it (svc-<17>.<7>.vpc-lattice-svcs...)."""
    return f"https://svc-0123456789abcdef0.7d67968.vpc-lattice-svcs.{settings.region}.on.aws"


def worst_case_context(
    settings: Settings, role: Role, service: str | None = None, lattice: bool | None = None
) -> UserDataContext:
    """``role``'s user data with names as long as AWS's. ``lattice``: it carries the AI
    service's URL (default: api and worker in phase 4, which then embed through it and skip
    the model step). Phase 4's api fleet runs the web service."""
    db = settings.config.database
    split = settings.config.services is not None
    if role == "api" and split:
        service = WEB_SERVICE
    if lattice is None:
        lattice = split
    stack = settings.stack
    prefix = physical_prefix(stack)
    shard_hosts = tuple(
        _rds_host(settings, f"{prefix}-shard-{i}", proxy=True)
        if db.proxy
        else _rds_host(settings, db_identifier(stack, i))
        for i in range(db.shards)
    )
    return UserDataContext(
        role=role,
        phase=settings.phase,
        region=settings.region,
        artifact_bucket="gm-artifact-bucket-abcdefg",
        artifact_key=f"releases/app-{'0' * 16}.tar.gz",
        db_secret_arn=_secret_arn(settings, "gm-db-master"),
        db_writer_host=shard_hosts[0],
        db_pool_size=db.pool_size,
        db_pool_overflow=db.pool_overflow,
        db_reader_hosts=tuple(
            _rds_host(settings, db_identifier(stack, 0, r)) for r in range(1, db.read_replicas + 1)
        ),
        db_shard_hosts=shard_hosts if db.shards > 1 else (),
        db_shard_secret_arns=tuple(
            _secret_arn(settings, f"gm-db-shard-{i}-master") for i in range(db.shards)
        )
        if db.shards > 1
        else (),
        redis_host=f"master.{redis_group_id(stack)}.abc123.use1.cache.amazonaws.com",
        redis_secret_arn=_secret_arn(settings, "gm-redis-auth"),
        session_redis_host=(f"master.{session_group_id(stack)}.abc123.use1.cache.amazonaws.com"),
        session_redis_secret_arn=_secret_arn(settings, "gm-redis-sessions-auth"),
        service_name=service,
        session_secret_arn=_secret_arn(settings, "gm-secrets-session"),
        trusted_proxy_cidrs=(settings.config.network.vpc_cidr,),
        stack=stack,
        ai_service_url=_lattice_url(settings) if lattice else "",
        ai_service_auth="aws_iam" if lattice else "",
        # the distribution's name is d + 13 characters, then the custom domain if any
        trusted_origins=tuple(
            f"https://{host}"
            for host in ("d0123456789abc.cloudfront.net", settings.config.domain)
            if host
        ),
    )


def roles_of(settings: Settings) -> list[Role]:
    roles: list[Role] = ["api"]
    if settings.config.workers is not None:
        roles.append("worker")
    if settings.config.services is not None:
        roles.append("service")
    return roles


def fleets_of(settings: Settings) -> list[tuple[Role, str | None, bool | None]]:
    """(role, service, lattice) of every fleet. Each service is measured with and without the
    AI service's URL: without it, those that embed carry the model step instead."""
    fleets: list[tuple[Role, str | None, bool | None]] = [
        (role, None, None) for role in roles_of(settings) if role != "service"
    ]
    if settings.config.services is not None:
        fleets += [("service", name, url) for name in SERVICE_NAMES for url in (True, False)]
    return fleets


def largest_user_data(settings: Settings) -> int:
    return max(
        len(render_userdata(worst_case_context(settings, *fleet)).encode())
        for fleet in fleets_of(settings)
    )


def check_user_data_budget(settings: Settings) -> None:
    """SettingsError when some fleet's boot script would exceed EC2's limit."""
    size = largest_user_data(settings)
    if size > EC2_USER_DATA_LIMIT:
        db = settings.config.database
        raise SettingsError(
            f"{PROJECT}:database",
            f"shards={db.shards}, readReplicas={db.read_replicas}",
            f"a size whose user data fits EC2's {EC2_USER_DATA_LIMIT} bytes "
            f"(these settings render {size} bytes); use fewer shards or replicas",
        )
