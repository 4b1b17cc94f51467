"""EC2 user data for the launch templates, rendered from ``templates/userdata/``.

The phase stacks call ``render_userdata`` with resolved values (inside an ``Output.apply``);
``gm-infra render userdata`` calls it with placeholders. Secrets are never passed in:
only the ARNs of the Secrets Manager secrets, fetched by the instance role at boot.

The user data is one bash script (cloud-init runs it as ``text/x-shellscript``). It embeds,
as quoted heredocs, the non-secret ``boot.json``, the ``gm-boot`` helper (``boot.py``), the
systemd units and, on instances that serve HTTP, nginx's config (``nginx.py``, kind proxy).
"""

from __future__ import annotations

import base64
import gzip
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from infra.render import nginx
from infra.render.access import SERVICE_ACCESS, Access, access_for
from infra.render.strip import strip_hash_comments, strip_python
from infra.render.templates import environment

Role = Literal["api", "worker", "service"]
ROLES: tuple[Role, ...] = ("api", "worker", "service")
PHASES = (1, 2, 3, 4)
BOOT_HELPER = Path(__file__).resolve().parent / "boot.py"
DRAIN_HELPER = Path(__file__).resolve().parent / "drain.py"
USERDATA_LIMIT = 16 * 1024  # EC2's limit, before base64
EOF_MARK = "GM_EOF"

SERVICE_USER = "green-matchers"
HOME = "/var/lib/green-matchers"
GM = "/opt/green-matchers"
# Amazon's bundle of the RDS certificate authorities (the instances' server certificates).
RDS_CA_BUNDLE_URL = "https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem"
ETC = "/etc/green-matchers"
VENV = f"{GM}/venv"
UPSTREAM_PORT = 8001  # uvicorn on loopback; nginx listens on app_port (the ALB target port)
API_UNIT = "green-matchers-api.service"
WORKER_UNIT = "green-matchers-worker.service"
MIGRATE_UNIT = "green-matchers-migrate.service"
DRAIN_UNIT = "green-matchers-drain.service"
# The worker group's termination lifecycle hook (infra/components/fleet.py): gm-drain
# completes it once Celery has shut down warmly. Its heartbeat outlasts the worker unit's
# TimeoutStopSec (WORKER_STOP_S), so a long task is not cut short by the hook.
DRAIN_HOOK = "green-matchers-drain"
WORKER_STOP_S = 600
DRAIN_HEARTBEAT_S = WORKER_STOP_S + 300
UNIT_DIR = "/etc/systemd/system"
NGINX_CONF = "/etc/nginx/nginx.conf"
NAME = re.compile(r"[a-z][a-z0-9-]{0,39}")
ARN = re.compile(r"arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@!-]+")
PATH_SAFE = re.compile(r"[A-Za-z0-9!_.*'()/-]+")
METRICS_NAMESPACE = "GreenMatchers"  # the instance role may publish to this namespace only
METRIC_WORD = re.compile(r"[A-Za-z0-9_.-]{1,64}")
AI_SERVICE_AUTHS = ("none", "aws_iam")


@dataclass(frozen=True)
class UserDataContext:
    """Everything an instance needs to find its artifact, its secrets and its peers."""

    role: Role
    phase: int
    region: str
    artifact_bucket: str
    artifact_key: str
    db_secret_arn: str
    db_writer_host: str
    db_reader_hosts: tuple[str, ...]
    db_shard_hosts: tuple[str, ...]
    db_shard_secret_arns: tuple[str, ...]
    redis_host: str
    redis_secret_arn: str
    service_name: str | None = None
    app_port: int = 8000
    db_name: str = "green_matchers"
    db_port: int = 3306
    # SQLAlchemy's pool per database each app process opens (DB_POOL_SIZE, DB_MAX_OVERFLOW):
    # gm-infra validate adds them up against each endpoint's max_connections.
    db_pool_size: int = 5
    db_pool_overflow: int = 5
    redis_port: int = 6379
    session_secret_arn: str = ""  # empty: derived at boot from the Redis auth token
    # The session store's own Redis (noeviction); empty: sessions share the cache's Redis.
    session_redis_host: str = ""
    session_redis_secret_arn: str = ""
    trusted_proxy_cidrs: tuple[str, ...] = nginx.PRIVATE_NETWORKS
    pip_extra_index_url: str = "https://download.pytorch.org/whl/cpu"  # CPU torch, not CUDA
    # CloudWatch publishing by the app (METRICS_*); empty namespace switches it off.
    stack: str = "local"
    metrics_namespace: str = METRICS_NAMESPACE
    # Phase 4: the AI service's VPC Lattice URL (https://<generated name>) for the fleets
    # that embed through it, and how to authenticate to it (aws_iam: SigV4-signed calls).
    ai_service_url: str = ""
    ai_service_auth: str = ""
    # The origins browsers use (https://<distribution>, https://<custom domain>): the app's
    # TRUSTED_ORIGINS, since the ALB forwards its own host name in Host.
    trusted_origins: tuple[str, ...] = ()


@dataclass(frozen=True)
class EmbeddedFile:
    path: str
    mode: str
    content: str
    packed: bool = False  # gzip + base64 in the script: user data is limited to 16 KB

    @property
    def payload(self) -> str:
        """What the heredoc holds: the content, or its gzip in base64 lines."""
        if not self.packed:
            return self.content
        data = base64.b64encode(gzip.compress(self.content.encode(), 9, mtime=0)).decode()
        return "".join(data[i : i + 76] + "\n" for i in range(0, len(data), 76))


def access_of(ctx: UserDataContext) -> Access:
    """What the instance opens, so which secrets it fetches (``infra/render/access.py``)."""
    return access_for(ctx.role, ctx.phase, ctx.service_name)


def units_for(ctx: UserDataContext) -> tuple[str, ...]:
    """The systemd units an instance starts. Phase 1 has no worker ASG: its api runs Celery.
    Only fleets that reach every database migrate (phase 4: web and analytics)."""
    if ctx.role == "worker":
        return (WORKER_UNIT, DRAIN_UNIT)
    if ctx.role == "api" and ctx.phase == 1:
        return (MIGRATE_UNIT, API_UNIT, WORKER_UNIT)
    if not access_of(ctx).migrates:
        return (API_UNIT,)
    return (MIGRATE_UNIT, API_UNIT)


# Services that embed text in-process when they have no AI service URL; with it (phase 4)
# only the AI service itself does.
EMBEDDING_SERVICES = ("ai-ml", "matching")
# Services that search the vector indexes (HNSW with faiss above exact_max_rows): matching
# (/api/match) and web (/api/careers/recommend).
INDEX_SERVICES = ("web", "matching")
# What phase 4's api fleet runs (SERVICE_NAME): the routes no split-off service took.
WEB_SERVICE = "web"


def needs_model(ctx: UserDataContext) -> bool:
    """Whether the instance embeds in-process, so boot installs and prepares the model.

    Phases 1-3: api and worker. Phase 4: the AI service only; every fleet that has the AI
    service's URL (api/web, worker, matching) embeds through it and needs no model.
    """
    if ctx.ai_service_url:
        return False
    return ctx.role != "service" or ctx.service_name in EMBEDDING_SERVICES


def extras_for(ctx: UserDataContext) -> tuple[str, ...]:
    """The package extras an instance installs: only what it runs.

    ``ai`` (torch, the models; it includes ``index``) where it embeds in-process
    (``needs_model``); else ``index`` (faiss) where it searches the vector indexes; the
    others ``app`` alone.
    """
    if needs_model(ctx):
        return ("app", "ai")
    if ctx.service_name in INDEX_SERVICES:
        return ("app", "index")
    return ("app",)


def pip_target(ctx: UserDataContext) -> str:
    """What the script hands pip: the unpacked artifact with the role's extras."""
    return f"$GM/src[{','.join(extras_for(ctx))}]"


def pip_index_options(ctx: UserDataContext) -> str:
    """The CPU torch index, only for roles that install torch (``ai``)."""
    if ctx.pip_extra_index_url and "ai" in extras_for(ctx):
        return f"--extra-index-url {ctx.pip_extra_index_url} "
    return ""


def serves_http(role: Role) -> bool:
    return role != "worker"


def check_context(ctx: UserDataContext) -> None:
    """ValueError naming the first field that cannot be rendered safely."""
    if ctx.role not in ROLES:
        raise ValueError(f"role {ctx.role!r} is not one of {', '.join(ROLES)}")
    if ctx.phase not in PHASES:
        raise ValueError(f"phase {ctx.phase!r} is not one of 1, 2, 3, 4")
    if ctx.role == "api" and ctx.service_name:
        if ctx.service_name != WEB_SERVICE or ctx.phase != 4:
            raise ValueError(f"the api fleet's service_name is {WEB_SERVICE!r} in phase 4 only")
    elif (ctx.role == "service") != bool(ctx.service_name):
        raise ValueError("service_name is needed for role service (api: web in phase 4)")
    if ctx.service_name and not NAME.fullmatch(ctx.service_name):
        raise ValueError(f"service_name {ctx.service_name!r} is not lower-case-with-dashes")
    if ctx.phase == 4 and ctx.service_name and ctx.service_name not in SERVICE_ACCESS:
        raise ValueError(
            f"service_name {ctx.service_name!r} is not one of {', '.join(SERVICE_ACCESS)}"
        )
    if not re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d", ctx.region):
        raise ValueError(f"region {ctx.region!r} is not an AWS region name")
    if not re.fullmatch(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", ctx.artifact_bucket):
        raise ValueError(f"artifact_bucket {ctx.artifact_bucket!r} is not an S3 bucket name")
    if not PATH_SAFE.fullmatch(ctx.artifact_key):
        raise ValueError(f"artifact_key {ctx.artifact_key!r} has characters that are not allowed")
    if len(ctx.db_shard_hosts) != len(ctx.db_shard_secret_arns):
        raise ValueError("db_shard_hosts and db_shard_secret_arns differ in length")
    for arn in (ctx.db_secret_arn, ctx.redis_secret_arn, *ctx.db_shard_secret_arns):
        if not ARN.fullmatch(arn):
            raise ValueError(f"{arn!r} is not a Secrets Manager ARN")
    for optional in (ctx.session_secret_arn, ctx.session_redis_secret_arn):
        if optional and not ARN.fullmatch(optional):
            raise ValueError(f"{optional!r} is not a Secrets Manager ARN")
    if bool(ctx.session_redis_host) != bool(ctx.session_redis_secret_arn):
        raise ValueError("session_redis_host and session_redis_secret_arn go together")
    hosts = (ctx.db_writer_host, *ctx.db_reader_hosts, *ctx.db_shard_hosts, ctx.redis_host)
    if ctx.session_redis_host:
        hosts += (ctx.session_redis_host,)
    for host in hosts:
        nginx.check_host(host)
    for label, word in (("stack", ctx.stack), ("metrics_namespace", ctx.metrics_namespace)):
        if word and not METRIC_WORD.fullmatch(word):
            raise ValueError(f"{label} {word!r} is not letters, digits, '_', '.', '-'")
    if ctx.ai_service_url:
        if not ctx.ai_service_url.startswith("https://"):
            raise ValueError(f"ai_service_url {ctx.ai_service_url!r} is not an https:// URL")
        nginx.check_host(ctx.ai_service_url.removeprefix("https://"))
    if ctx.ai_service_auth and ctx.ai_service_auth not in AI_SERVICE_AUTHS:
        raise ValueError(
            f"ai_service_auth {ctx.ai_service_auth!r} is not one of {', '.join(AI_SERVICE_AUTHS)}"
        )
    if ctx.ai_service_auth and not ctx.ai_service_url:
        raise ValueError("ai_service_auth is set without an ai_service_url")
    if not re.fullmatch(r"[A-Za-z0-9_]{1,64}", ctx.db_name):
        raise ValueError(f"db_name {ctx.db_name!r} is not a database name")
    for port in (ctx.app_port, ctx.db_port, ctx.redis_port):
        nginx.parse_port(str(port))
    if not (1 <= ctx.db_pool_size <= 100 and 0 <= ctx.db_pool_overflow <= 100):
        raise ValueError(
            f"db_pool_size {ctx.db_pool_size} / db_pool_overflow {ctx.db_pool_overflow}: "
            "1 to 100 and 0 to 100 connections"
        )


def compact_json(value: object) -> str:
    """JSON without optional spaces: boot.json of a 16-shard stack is ~200 bytes smaller, and
    user data is limited to 16 KB (plain text, so the secret scan still reads it)."""
    return json.dumps(value, separators=(",", ":"))


def uses_cache_redis(ctx: UserDataContext) -> bool:
    """The cache's Redis: where the fleet uses it, or where its sessions fall back to it (no
    session Redis of their own, or a session key derived from its token)."""
    access = access_of(ctx)
    fallback = not ctx.session_redis_host or not ctx.session_secret_arn
    return access.cache or (access.sessions and fallback)


def boot_config(ctx: UserDataContext) -> dict[str, object]:
    """boot.json: what gm-boot reads on the instance. ARNs and host names only, no secrets;
    only the databases and stores the fleet opens (``access_of``), so it fetches no secret
    its role may not read."""
    access = access_of(ctx)
    sessions = access.sessions
    return {
        "role": ctx.role,
        "phase": ctx.phase,
        "service_name": ctx.service_name or "",
        "region": ctx.region,
        "user": SERVICE_USER,
        "artifact_bucket": ctx.artifact_bucket,
        "artifact_key": ctx.artifact_key,
        "db": {
            "secret_arn": ctx.db_secret_arn,
            "writer": ctx.db_writer_host,
            "readers": list(ctx.db_reader_hosts),
            "port": ctx.db_port,
            "name": ctx.db_name,
            "ca_file": f"{GM}/db-ca.pem",
            "pool": [ctx.db_pool_size, ctx.db_pool_overflow],
        }
        if access.database != "none"
        else None,
        "shards": [
            {"host": host, "secret_arn": arn}
            for host, arn in zip(ctx.db_shard_hosts, ctx.db_shard_secret_arns, strict=True)
        ]
        if access.database == "all"
        else [],
        "redis": {
            "host": ctx.redis_host,
            "port": ctx.redis_port,
            "secret_arn": ctx.redis_secret_arn,
        }
        if uses_cache_redis(ctx)
        else None,
        "session_redis": {
            "host": ctx.session_redis_host,
            "port": ctx.redis_port,
            "secret_arn": ctx.session_redis_secret_arn,
        }
        if sessions and ctx.session_redis_host
        else None,
        "session_secret_arn": ctx.session_secret_arn if sessions else "",
        # absent: the fleet signs in users (phases 1-3, web, auth); gm-boot writes no
        # SESSION_SECRET where it is false
        **({} if sessions else {"sessions": False}),
        "stack": ctx.stack,
        "metrics": ctx.metrics_namespace,  # the app's CloudWatch namespace; "" switches it off
        # the worker group's termination lifecycle hook, which gm-drain completes
        **({"drain": {"hook": DRAIN_HOOK}} if ctx.role == "worker" else {}),
        **(
            {"ai_service": {"url": ctx.ai_service_url, "auth": ctx.ai_service_auth or "none"}}
            if ctx.ai_service_url
            else {}
        ),
        **({"trusted_origins": list(ctx.trusted_origins)} if ctx.trusted_origins else {}),
    }


def _paths() -> dict[str, object]:
    return {
        "user": SERVICE_USER,
        "home": HOME,
        "gm": GM,
        "etc": ETC,
        "venv": VENV,
        "upstream_port": UPSTREAM_PORT,
        "worker_stop_s": WORKER_STOP_S,
        "rds_ca_url": RDS_CA_BUNDLE_URL,
    }


def render_unit(name: str, ctx: UserDataContext) -> str:
    """One systemd unit file, e.g. ``render_unit(API_UNIT, ctx)``."""
    units = units_for(ctx)
    return (
        environment("userdata").get_template(f"{name}.j2").render(ctx=ctx, units=units, **_paths())
    )


def render_proxy(ctx: UserDataContext) -> str:
    """The instance's nginx.conf: port app_port in front of uvicorn on 127.0.0.1."""
    options = nginx.NginxOptions(
        kind="proxy",
        servers=(nginx.Upstream("127.0.0.1", UPSTREAM_PORT),),
        listen=str(ctx.app_port),
        trusted_proxies=ctx.trusted_proxy_cidrs,
        static_root=f"{GM}/src/app/static",
    )
    return nginx.render_nginx(options)


def embedded_files(ctx: UserDataContext) -> tuple[EmbeddedFile, ...]:
    """The files the script writes before it installs anything else."""
    files = [
        EmbeddedFile(f"{ETC}/boot.json", "0644", compact_json(boot_config(ctx)) + "\n"),
        EmbeddedFile(
            f"{GM}/bin/gm-boot", "0755", strip_python(BOOT_HELPER.read_text()), packed=True
        ),
    ]
    files += [
        EmbeddedFile(f"{UNIT_DIR}/{unit}", "0644", render_unit(unit, ctx))
        for unit in units_for(ctx)
    ]
    if ctx.role == "worker":
        helper = strip_python(DRAIN_HELPER.read_text())
        files.append(EmbeddedFile(f"{GM}/bin/gm-drain", "0755", helper, packed=True))
    if serves_http(ctx.role):
        # packed: ~1.4 KB less (the 16 KB budget); a fixed config with no host, ARN or secret
        nginx_conf = strip_hash_comments(render_proxy(ctx))
        files.append(EmbeddedFile(NGINX_CONF, "0644", nginx_conf, packed=True))
    for item in files:
        if f"\n{EOF_MARK}\n" in f"\n{item.payload}" or not item.payload.endswith("\n"):
            raise ValueError(f"{item.path} cannot be embedded in a heredoc")
    return tuple(files)


def render_userdata(ctx: UserDataContext) -> str:
    """The boot script (plain text; the launch template base64-encodes it)."""
    check_context(ctx)
    return (
        environment("userdata")
        .get_template("boot.sh.j2")
        .render(
            ctx=ctx,
            files=embedded_files(ctx),
            units=units_for(ctx),
            nginx=serves_http(ctx.role),
            model=needs_model(ctx),
            pip_target=pip_target(ctx),
            pip_index_options=pip_index_options(ctx),
            eof=EOF_MARK,
            **_paths(),
        )
    )


def extract_files(userdata: str) -> dict[str, str]:
    """The files a rendered script embeds, by path: the inverse of ``embedded_files``."""
    plain = re.compile(rf"^put (\S+) \d+ <<'{EOF_MARK}'\n(.*?)^{EOF_MARK}$", re.M | re.S)
    packed = re.compile(
        rf"^base64 -d <<'{EOF_MARK}' \| gunzip \| put (\S+) \d+\n(.*?)^{EOF_MARK}$", re.M | re.S
    )
    found = {path: content for path, content in plain.findall(userdata)}
    for path, payload in packed.findall(userdata):
        found[path] = gzip.decompress(base64.b64decode(payload)).decode()
    return found


def context_dict(ctx: UserDataContext) -> dict[str, object]:
    return asdict(ctx)
