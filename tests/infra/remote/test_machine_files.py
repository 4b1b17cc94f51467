"""What the stacks hand to machines, run as AWS runs it (phases 1-4).

``gm-infra render scripts`` writes each fleet's user data, boot.json and units, gm-boot and
the SSM scripts. Then: user data through cloud-init's own user-data processor and its
shebang's shell; units through ``systemd-analyze verify`` on a temporary root; gm-boot's
env step off-instance with hostile-but-legal secrets, its env files read by systemd's rules
and by dash; the SSM scripts under dash (what AWS-RunShellScript's ``sh`` is on Ubuntu)
with gm-infra replaced by a recorder; shellcheck per shebang, with nothing to say.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import string
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from cli import app as cli_app
from infra.plan.build import plan_for_phase
from infra.plan.types import tokens as t
from infra.remote.machine_files import MachineFiles, machine_files, write_machine_files
from infra.remote.reshard import reshard_role
from infra.render import boot
from infra.render.access import access_for
from infra.render.userdata import HOME, SERVICE_USER, VENV
from tests.env_readers import sh_env, systemd_env
from tests.system_tools import require

PHASES = (1, 2, 3, 4)
# RDS for MariaDB: any printable ASCII character except '/', '"' and '@', 8 to 41 of them
# (CreateDBInstance, MasterUserPassword). Three passwords carry them all between them.
RDS_LEGAL = "".join(c for c in string.printable[:95] if c not in '/"@')
RDS_PASSWORDS = tuple(RDS_LEGAL[i : i + 32] for i in range(0, len(RDS_LEGAL), 32))
# ElastiCache AUTH tokens: 16-128 printable characters; non-alphanumerics only !&#$^<>-
REDIS_TOKEN = "Ab1!&#$^<>-" + string.ascii_letters + string.digits
SESSION_KEY = "a name with spaces, 'single' and \"double\" quotes; $HOME `id` \\ & | ? = % #"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[int, tuple[Path, MachineFiles]]:
    out = {}
    for phase in PHASES:
        found = machine_files(plan_for_phase(phase))
        folder = tmp_path_factory.mktemp(f"machines-phase{phase}")
        write_machine_files(found, folder)
        out[phase] = (folder, found)
    return out


def fleets(phase: int) -> list[str]:
    return {1: ["api"], 2: ["api", "worker"], 3: ["api", "worker"]}.get(
        phase,
        ["api", "service-ai-ml", "service-analytics", "service-auth", "service-matching", "worker"],
    )


# ---- the command ---------------------------------------------------------------------


def test_render_scripts_writes_exactly_what_the_launch_templates_carry(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli_app, ["render", "scripts", "--phase", "3", "--out", str(tmp_path), "--json"]
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads(result.stdout)
    assert sorted(manifest["fleets"]) == ["api", "worker"]
    assert manifest["ssm"]["reshard-run"] == {"file": "ssm/reshard-run.sh", "fleet": "worker"}
    for name in ("gm-boot", "ssm/reshard-run.sh", "ssm/reshard-status.sh", "manifest.json"):
        assert (tmp_path / name).is_file(), name
    plan = plan_for_phase(3)
    for template in (r for r in plan.custom_resources() if r.type == t.LAUNCH_TEMPLATE):
        fleet = template.inputs["tags"]["Role"]
        sent = base64.b64decode(template.inputs["userData"]).decode()
        assert (tmp_path / fleet / "user-data").read_text() == sent
        assert (tmp_path / fleet / "boot.json").read_text() in sent  # embedded verbatim
        for unit in manifest["fleets"][fleet]["units"]:
            assert (tmp_path / fleet / "units" / unit).read_text() in sent
    assert os.access(tmp_path / "ssm/reshard-run.sh", os.X_OK)


def test_render_scripts_refuses_bad_input(tmp_path: Path) -> None:
    runner = CliRunner()
    both = runner.invoke(
        cli_app, ["render", "scripts", "--phase", "3", "--stack", "x", "--out", str(tmp_path)]
    )
    assert both.exit_code == 2 and "exactly one of --phase N or --stack S" in both.output
    blocked = tmp_path / "file"
    blocked.write_text("")
    unwritable = runner.invoke(
        cli_app, ["render", "scripts", "--phase", "1", "--out", str(blocked / "sub")]
    )
    assert unwritable.exit_code == 2 and "cannot write" in unwritable.output
    assert "Traceback" not in unwritable.output


@pytest.mark.parametrize("phase", PHASES)
def test_every_fleet_of_every_phase_is_written(
    phase: int, rendered: dict[int, tuple[Path, MachineFiles]]
) -> None:
    folder, found = rendered[phase]
    assert sorted(found.fleets) == fleets(phase)
    ssm = sorted(p.name for p in (folder / "ssm").glob("*.sh")) if phase >= 3 else []
    assert ssm == (["reshard-run.sh", "reshard-status.sh"] if phase >= 3 else [])


# ---- user data: cloud-init, then its shebang; shellcheck per shebang -------------------

CLOUD_INIT_PROBE = (
    "import json, sys\n"
    "from cloudinit.user_data import UserDataProcessor\n"
    "message = UserDataProcessor({}).process(open(sys.argv[1]).read())\n"
    "print(json.dumps([p.get_content_type() for p in message.walk() if not p.is_multipart()]))\n"
)


def shebang(path: Path) -> list[str]:
    first = path.read_text().splitlines()[0]
    assert first.startswith("#!"), f"{path} has no shebang"
    return first[2:].split()


@pytest.mark.parametrize("phase", PHASES)
def test_user_data_goes_through_cloud_init_then_its_shebang(
    phase: int, rendered: dict[int, tuple[Path, MachineFiles]]
) -> None:
    require("cloud-init")
    folder, found = rendered[phase]
    for fleet in found.fleets:
        user_data = folder / fleet / "user-data"
        parts = subprocess.run(
            ["/usr/bin/python3", "-c", CLOUD_INIT_PROBE, str(user_data)],
            capture_output=True,
            text=True,
            check=True,
        )
        kinds = json.loads(parts.stdout)
        assert kinds == ["text/x-shellscript"], (fleet, kinds)  # not cloud-config: no schema
        schema = subprocess.run(
            ["cloud-init", "schema", "--config-file", str(user_data)],
            capture_output=True,
            text=True,
        )
        assert "#cloud-config" in schema.stdout + schema.stderr  # cloud-init agrees: a script
        interpreter = shebang(user_data)
        assert interpreter == ["/bin/bash"]
        syntax = subprocess.run([*interpreter, "-n", str(user_data)], capture_output=True)
        assert syntax.returncode == 0, (fleet, syntax.stderr)


SHELLS = {"/bin/bash": "bash", "/bin/sh": "sh"}


@pytest.mark.parametrize("phase", PHASES)
def test_shellcheck_per_shebang_has_nothing_to_say(
    phase: int, rendered: dict[int, tuple[Path, MachineFiles]]
) -> None:
    shellcheck = require("shellcheck")
    folder, found = rendered[phase]
    scripts = [folder / f / "user-data" for f in found.fleets]
    scripts += sorted((folder / "ssm").glob("*.sh")) if phase >= 3 else []
    for script in scripts:
        shell = SHELLS[shebang(script)[0]]
        result = subprocess.run(
            [shellcheck, "--severity=style", "-s", shell, str(script)],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, (script, result.stdout)


# ---- units: systemd-analyze verify on a temporary root -----------------------------------


@pytest.mark.parametrize("phase", PHASES)
def test_units_verify_with_systemd(
    phase: int, rendered: dict[int, tuple[Path, MachineFiles]], tmp_path: Path
) -> None:
    systemd_analyze = require("systemd-analyze")
    folder, found = rendered[phase]
    root = tmp_path / "root"
    shutil.copytree("/usr/lib/systemd", root / "usr/lib/systemd", symlinks=True)
    (root / "lib").symlink_to("usr/lib")
    for binary in ("python", "uvicorn", "celery"):
        executable = root / VENV.lstrip("/") / "bin" / binary
        executable.parent.mkdir(parents=True, exist_ok=True)
        executable.write_text("#!/bin/sh\n")
        executable.chmod(0o755)
    for fleet in found.fleets:
        units = sorted((folder / fleet / "units").glob("*.service"))
        assert units, fleet
        unit_dir = root / "etc/systemd/system"
        shutil.rmtree(unit_dir, ignore_errors=True)
        unit_dir.mkdir(parents=True)
        for unit in units:
            shutil.copy(unit, unit_dir / unit.name)
        for unit in units:
            result = subprocess.run(
                [systemd_analyze, "verify", f"--root={root}", f"/etc/systemd/system/{unit.name}"],
                capture_output=True,
                text=True,
            )
            assert result.returncode == 0 and not result.stderr.strip(), (fleet, result.stderr)


# ---- gm-boot env off-instance, read by systemd's rules and by sh ------------------------


def secrets_for(config: dict[str, Any], rotation: int) -> dict[str, str]:
    """What Secrets Manager would answer for every ARN boot.json names: each database a
    different slice of RDS's legal characters, the Redis tokens every legal one."""
    found: dict[str, str] = {}
    databases = []
    if config["db"]:
        databases.append(config["db"]["secret_arn"])
    databases += [s["secret_arn"] for s in config["shards"] if s["secret_arn"] not in databases]
    for index, arn in enumerate(databases):
        password = RDS_PASSWORDS[(index + rotation) % len(RDS_PASSWORDS)]
        found[arn] = json.dumps({"username": f"admin {index}'s", "password": password})
    for store in ("redis", "session_redis"):
        if config.get(store):
            found[config[store]["secret_arn"]] = json.dumps({"auth_token": REDIS_TOKEN})
    if config.get("session_secret_arn"):
        found[config["session_secret_arn"]] = json.dumps({"session_secret": SESSION_KEY})
    return found


def gm_boot_env(folder: Path, fleet: str, secrets: dict[str, str], etc: Path) -> Any:
    etc.parent.mkdir(parents=True, exist_ok=True)
    (etc.parent / "secrets.json").write_text(json.dumps(secrets))
    argv = [sys.executable, str(folder / "gm-boot"), "env", "--boot-json"]
    argv += [str(folder / fleet / "boot.json"), "--secrets", str(etc.parent / "secrets.json")]
    argv += ["--etc", str(etc), "--cores", "2", "--memory-mb", "3900"]
    return subprocess.run(argv, capture_output=True, text=True)


@pytest.mark.parametrize("rotation", range(len(RDS_PASSWORDS)))
@pytest.mark.parametrize("phase", PHASES)
def test_env_files_mean_the_same_to_systemd_and_sh(
    phase: int, rotation: int, rendered: dict[int, tuple[Path, MachineFiles]], tmp_path: Path
) -> None:
    folder, found = rendered[phase]
    for fleet in found.fleets:
        config = json.loads((folder / fleet / "boot.json").read_text())
        secrets = secrets_for(config, rotation)
        etc = tmp_path / fleet / "etc"
        done = gm_boot_env(folder, fleet, secrets, etc)
        assert done.returncode == 0, done.stderr
        for secret in (*RDS_PASSWORDS, REDIS_TOKEN, SESSION_KEY):
            assert secret not in done.stdout + done.stderr
        expected = boot.app_env(config, secrets.__getitem__)
        app_env = etc / "app.env"
        assert systemd_env(app_env.read_text()) == expected, fleet
        assert sh_env(app_env) == expected, fleet
        runtime = etc / "runtime.env"
        assert (
            systemd_env(runtime.read_text())
            == sh_env(runtime)
            == {
                "API_WORKERS": "3",
                "WORKER_CONCURRENCY": "2",
            }
        )
        if config["db"]:
            url = make_url(expected["DATABASE_URL"])
            assert url.password == json.loads(secrets[config["db"]["secret_arn"]])["password"]
            assert url.query["ssl_check_hostname"] == "true"


def test_a_secret_that_cannot_be_carried_stops_the_boot_naming_it(
    rendered: dict[int, tuple[Path, MachineFiles]], tmp_path: Path
) -> None:
    folder, _ = rendered[3]
    config = json.loads((folder / "api" / "boot.json").read_text())
    secrets = secrets_for(config, 0)
    # A newline in a URL's user name is percent-encoded: carried, not refused.
    arn = config["db"]["secret_arn"]
    secrets[arn] = json.dumps({"username": "admin\nEVIL=1", "password": "x" * 12})
    etc = tmp_path / "etc"
    assert gm_boot_env(folder, "api", secrets, etc).returncode == 0
    assert make_url(sh_env(etc / "app.env")["DATABASE_URL"]).username == "admin\nEVIL=1"

    # The session key is carried as it is: a newline cannot be, in either reader.
    (etc / "runtime.env").unlink()
    (etc / "app.env").write_text('APP_ENV="before"\n')
    secrets[config["session_secret_arn"]] = json.dumps({"session_secret": "line one\nline two"})
    done = gm_boot_env(folder, "api", secrets, etc)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "SESSION_SECRET holds the character U+000A" in done.stderr
    assert "nothing was written" in done.stderr and "line one" not in done.stderr
    assert (etc / "app.env").read_text() == 'APP_ENV="before"\n'  # untouched
    assert sorted(p.name for p in etc.iterdir()) == ["app.env"]  # no runtime.env, no temp file


# ---- SSM scripts under dash --------------------------------------------------------------


def recorder_bin(tmp_path: Path) -> Path:
    """A bin folder with ``runuser`` (drops ``-u USER --``) and a recording ``gm-infra``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    runuser = bin_dir / "runuser"
    runuser.write_text(
        '#!/bin/sh\n[ "$1" = -u ] && [ "$2" = green-matchers ] && [ "$3" = -- ] || exit 90\n'
        'shift 3\nexec "$@"\n'
    )
    gm_infra = bin_dir / "gm-infra"
    echo = "import json, sys; print(json.dumps(sys.argv[1:]))"
    gm_infra.write_text(f"#!/bin/sh\nexec {sys.executable} -c '{echo}' \"$@\"\n")
    for tool in (runuser, gm_infra):
        tool.chmod(0o755)
    return bin_dir


def run_ssm(script: Path, env_file: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """``script`` under dash as SSM runs it, its instance paths pointed into ``tmp_path``."""
    dash = require("dash")
    bin_dir = recorder_bin(tmp_path)
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    text = script.read_text()
    for real, here in (
        ("/etc/green-matchers/app.env", str(env_file)),
        (f"{VENV}/bin/gm-infra", str(bin_dir / "gm-infra")),
        (f"cd {HOME}", f"cd {home}"),
    ):
        assert real in text, real
        text = text.replace(real, here)
    assert f"runuser -u {SERVICE_USER} -- " in text
    local = tmp_path / script.name
    local.write_text(text)
    (home / "touch?").write_text("")  # a file the URLs' '?' would glob onto
    return subprocess.run(
        [dash, str(local)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PATH": f"{bin_dir}:{os.environ['PATH']}"},
    )


@pytest.mark.parametrize("phase", [3, 4])
def test_the_reshard_runs_under_dash_on_the_fleet_holding_every_shard(
    phase: int, rendered: dict[int, tuple[Path, MachineFiles]], tmp_path: Path
) -> None:
    folder, found = rendered[phase]
    host = found.manifest()["ssm"]["reshard-run"]["fleet"]
    config = json.loads((folder / host / "boot.json").read_text())
    assert len(config["shards"]) == 3  # this fleet's app.env lists every shard
    secrets = secrets_for(config, 0)
    etc = tmp_path / "etc"
    assert gm_boot_env(folder, host, secrets, etc).returncode == 0
    env = sh_env(etc / "app.env")
    shard_urls = env["DATABASE_SHARD_URLS"].split(",")
    assert len(shard_urls) == 3

    done = run_ssm(folder / "ssm/reshard-run.sh", etc / "app.env", tmp_path)
    assert done.returncode == 0, done.stderr
    targets = [arg for url in shard_urls for arg in ("--target", url)]
    assert json.loads(done.stdout) == [
        "app", "reshard", "--source", env["DATABASE_URL"], *targets, "--yes", "--format", "json",
    ]  # fmt: skip
    passwords = {make_url(url).password for url in [env["DATABASE_URL"], *shard_urls]}
    assert passwords == set(RDS_PASSWORDS)  # every legal character, passed unchanged

    status = run_ssm(folder / "ssm/reshard-status.sh", etc / "app.env", tmp_path)
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)[-2:] == ["--format", "json"]
    assert "--status" in json.loads(status.stdout)


def test_an_ssm_script_on_an_instance_still_booting_exits_3(
    rendered: dict[int, tuple[Path, MachineFiles]], tmp_path: Path
) -> None:
    folder, _ = rendered[3]
    for name in ("reshard-run", "reshard-status"):
        done = run_ssm(folder / f"ssm/{name}.sh", tmp_path / "no-app.env", tmp_path / name)
        assert done.returncode == 3, done.stderr
        assert "has not finished booting" in done.stderr


def test_the_reshard_host_holds_every_shard_in_each_phase_it_can_run() -> None:
    assert (reshard_role(3), reshard_role(4)) == ("worker", "service-analytics")
    for phase in (3, 4):
        role = reshard_role(phase)
        service = role.removeprefix("service-") if role.startswith("service-") else None
        kind = "service" if service else role
        assert access_for(kind, phase, service).database == "all"


@pytest.mark.parametrize(
    ("line", "value"),
    [
        ("A=plain value  ", "plain value"),  # interior whitespace kept, trailing dropped
        ("A='single $x \\\\ \"q\"'", 'single $x \\\\ "q"'),
        ('A="d \\" \\\\ \\` \\$ \\n"', 'd " \\ ` $ \\n'),  # a backslash before n stays
        ("A='one'\"two\"", "onetwo"),
        ("A=it's", "it's"),  # a quote inside an unquoted value is literal
    ],
)
def test_the_systemd_reader_follows_the_documented_rules(line: str, value: str) -> None:
    assert systemd_env(f"# comment\n; another\n{line}\n") == {"A": value}


def test_render_scripts_reads_a_stack_where_gm_infra_phase_keeps_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from infra.stack_files import write_stack_config

    stacks = tmp_path / "stacks"
    config = {"aws:region": "eu-west-1", "green-matchers:phase": 3}
    write_stack_config("shop", {**config, "green-matchers:database": {"shards": 4}}, stacks)
    monkeypatch.setenv("GM_INFRA_STACKS_DIR", str(stacks))
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli_app, ["render", "scripts", "--stack", "shop", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    run = (out / "ssm/reshard-run.sh").read_text()
    assert '"$COUNT" -ne 4' in run  # the stack's own shard count
    assert json.loads((out / "worker/boot.json").read_text())["region"] == "eu-west-1"
