"""The user data: shellcheck, cloud-init, systemd-analyze, the 16 KB limit, its contents."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from infra.render import userdata
from infra.render.strip import strip_python
from infra.render.userdata import (
    API_UNIT,
    MIGRATE_UNIT,
    UNIT_DIR,
    USERDATA_LIMIT,
    WORKER_UNIT,
    extract_files,
    render_userdata,
    units_for,
)
from tests.infra.factories import ROLE_PHASES, context
from tests.system_tools import require

CASES = pytest.mark.parametrize(("role", "phase", "service"), ROLE_PHASES)


@CASES
def test_under_the_ec2_limit(role: str, phase: int, service: str | None) -> None:
    size = len(render_userdata(context(role, phase, service)).encode())
    assert size < USERDATA_LIMIT, f"{role} phase {phase}: {size} bytes"


@CASES
def test_shellcheck_has_nothing_to_say(role: str, phase: int, service: str | None) -> None:
    shellcheck = require("shellcheck")
    script = render_userdata(context(role, phase, service))
    result = subprocess.run(
        [shellcheck, "--severity=style", "-"], input=script, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(("role", "phase", "service"), [("api", 1, None), ("worker", 4, None)])
def test_cloud_init_runs_it_as_one_shell_script(
    role: str, phase: int, service: str | None, tmp_path: Path
) -> None:
    """cloud-init's own user-data processor (the code on the instance) classifies it."""
    require("cloud-init")
    python = "/usr/bin/python3"
    script = render_userdata(context(role, phase, service))
    (tmp_path / "user-data").write_text(script)
    probe = (
        "import json, sys\n"
        "from cloudinit.user_data import UserDataProcessor\n"
        "message = UserDataProcessor({}).process(open(sys.argv[1]).read())\n"
        "parts = [p for p in message.walk() if not p.is_multipart()]\n"
        "print(json.dumps([[p.get_content_type(), p.get_payload(decode=True).decode()]"
        " for p in parts]))\n"
    )
    result = subprocess.run(
        [python, "-c", probe, str(tmp_path / "user-data")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    parts = json.loads(result.stdout)
    assert [kind for kind, _ in parts] == ["text/x-shellscript"]
    assert parts[0][1] == script


@CASES
def test_systemd_units_verify(role: str, phase: int, service: str | None, tmp_path: Path) -> None:
    systemd_analyze = require("systemd-analyze")
    files = extract_files(render_userdata(context(role, phase, service)))
    root = tmp_path / "root"
    shutil.copytree("/usr/lib/systemd", root / "usr/lib/systemd", symlinks=True)
    (root / "lib").symlink_to("usr/lib")
    for path, content in files.items():
        target = root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
    for binary in ("python", "uvicorn", "celery"):
        executable = root / userdata.VENV.lstrip("/") / "bin" / binary
        executable.parent.mkdir(parents=True, exist_ok=True)
        executable.write_text("#!/bin/sh\n")
        executable.chmod(0o755)
    units = [path for path in files if path.startswith(UNIT_DIR)]
    assert units
    for unit in units:
        result = subprocess.run(
            [systemd_analyze, "verify", f"--root={root}", unit], capture_output=True, text=True
        )
        assert result.returncode == 0 and not result.stderr.strip(), (unit, result.stderr)


def test_units_per_role() -> None:
    # no worker ASG yet
    assert units_for(context("api", 1, None)) == (MIGRATE_UNIT, API_UNIT, WORKER_UNIT)
    assert units_for(context("api", 2, None)) == (MIGRATE_UNIT, API_UNIT)
    assert units_for(context("worker", 2, None)) == (WORKER_UNIT, userdata.DRAIN_UNIT)
    # Phase 4: only the fleets that reach every database migrate (web and analytics).
    assert units_for(context("api", 4, None)) == (MIGRATE_UNIT, API_UNIT)
    assert units_for(context("service", 4, "analytics")) == (MIGRATE_UNIT, API_UNIT)
    for service in ("auth", "matching", "ai-ml"):
        assert units_for(context("service", 4, service)) == (API_UNIT,)


def test_an_api_unit_without_migrations_does_not_wait_for_them() -> None:
    files = extract_files(render_userdata(context("service", 4, "ai-ml")))
    api = files[f"{UNIT_DIR}/{API_UNIT}"]
    assert "migrate" not in api
    assert "After=network-online.target\n" in api


@CASES
def test_one_name_per_unit_everywhere(role: str, phase: int, service: str | None) -> None:
    """The source document's script started one unit name and enabled another."""
    script = render_userdata(context(role, phase, service))
    files = extract_files(script)
    units = units_for(context(role, phase, service))
    assert sorted(p for p in files if p.startswith(UNIT_DIR)) == sorted(
        f"{UNIT_DIR}/{u}" for u in units
    )
    assert f"systemctl enable --now {' '.join(units)}\n" in script
    assert set(re.findall(r"green-matchers[\w-]*\.service", script)) == set(units)


def test_api_unit_runs_uvicorn_behind_nginx() -> None:
    files = extract_files(render_userdata(context("api", 2, None)))
    api = files[f"{UNIT_DIR}/{API_UNIT}"]
    assert "app.main:create_app --factory" in api
    assert "--host 127.0.0.1 --port 8001" in api
    assert "--workers $API_WORKERS" in api
    assert "Requires=green-matchers-migrate.service" in api
    assert "server 127.0.0.1:8001" in files[userdata.NGINX_CONF]
    assert "listen 8000 default_server;" in files[userdata.NGINX_CONF]


def test_worker_instance_has_no_nginx_and_runs_celery() -> None:
    script = render_userdata(context("worker", 3, None))
    files = extract_files(script)
    assert userdata.NGINX_CONF not in files
    assert " nginx" not in script.split("apt_get install", 1)[1].split("\n")[0]
    assert "app.worker.celery_app:celery_app worker" in files[f"{UNIT_DIR}/{WORKER_UNIT}"]


def test_migrations_run_once_per_artifact() -> None:
    files = extract_files(render_userdata(context("api", 3, None)))
    migrate = files[f"{UNIT_DIR}/{MIGRATE_UNIT}"]
    assert "ExecCondition=" in migrate and "gm-boot migration-needed" in migrate
    assert "ExecStart=/opt/green-matchers/venv/bin/python -m app.migrate" in migrate
    assert "gm-boot migration-done" in migrate


def test_boot_json_carries_hosts_and_arns_only() -> None:
    ctx = context("api", 3, None)
    config = json.loads(extract_files(render_userdata(ctx))["/etc/green-matchers/boot.json"])
    assert len(config["shards"]) == 3 and len(config["db"]["readers"]) == 2
    assert config["shards"][1] == {
        "host": ctx.db_shard_hosts[1],
        "secret_arn": ctx.db_shard_secret_arns[1],
    }
    assert config["redis"]["secret_arn"] == ctx.redis_secret_arn


@pytest.mark.parametrize(
    ("role", "service", "calls_ai"),
    [("api", None, True), ("worker", None, True), ("service", "matching", True)]
    + [("service", name, False) for name in ("ai-ml", "auth", "analytics")],
)
def test_phase_4_boot_json_names_the_ai_service_for_its_callers(
    role: str, service: str | None, calls_ai: bool
) -> None:
    ctx = context(role, 4, service)
    config = json.loads(extract_files(render_userdata(ctx))["/etc/green-matchers/boot.json"])
    if calls_ai:
        assert config["ai_service"] == {"url": ctx.ai_service_url, "auth": "aws_iam"}
        assert ctx.ai_service_url.startswith("https://svc-")
    else:
        assert "ai_service" not in config


def test_embedded_helper_is_the_repositorys_helper() -> None:
    files = extract_files(render_userdata(context("api", 2, None)))
    source = (Path(userdata.__file__).parent / "boot.py").read_text()
    assert files["/opt/green-matchers/bin/gm-boot"] == strip_python(source)


def test_fixes_the_source_documents_script() -> None:
    script = render_userdata(context("api", 2, None))
    assert "/var/www/green-atchers" not in script  # the typo'd path
    assert "python3.13" not in script  # not on Ubuntu 24.04
    assert "awscli" not in script  # not an apt package on Ubuntu 24.04
    assert "git pull" not in script  # the artifact comes from S3


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"role": "admin"}, "role 'admin'"),
        ({"phase": 5}, "phase 5"),
        ({"region": "europe"}, "region 'europe'"),
        ({"db_shard_hosts": ("a.example.com",)}, "differ in length"),
        ({"redis_secret_arn": "my-token"}, "not a Secrets Manager ARN"),
        ({"db_writer_host": "db;rm -rf /"}, "not an IP address or host name"),
        ({"artifact_key": "app/$(reboot).tar.gz"}, "artifact_key"),
        ({"service_name": "matching"}, "service_name"),
        ({"ai_service_url": "http://svc-1.on.aws"}, "not an https:// URL"),
        ({"ai_service_url": "https://svc 1.on.aws"}, "not an IP address or host name"),
        ({"ai_service_url": "https://a.on.aws", "ai_service_auth": "oauth"}, "none, aws_iam"),
        ({"ai_service_auth": "aws_iam"}, "without an ai_service_url"),
    ],
)
def test_bad_context_is_refused(change: dict[str, object], fragment: str) -> None:
    ctx = dataclasses.replace(context("api", 2, None), **change)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=fragment.replace("(", r"\(").replace("$", r"\$")):
        render_userdata(ctx)
