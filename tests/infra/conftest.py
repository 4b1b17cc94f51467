"""Fixtures shared by the infrastructure tests.

- the four phase plans, once per session (``plans`` records afresh, ``phase_plans`` goes
  through the plan cache, as the commands do) and their CloudFormation exports;
- one moto emulator per session on a free loopback port, reset per test (``emu``), and
  ``run``, a gm-infra root with the commands that drive it;
- a CLI runner, a self-signed TLS pair and an nginx runtime folder.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from infra.commands import local, phase, rightsize, verify
from infra.emulator.server import Emulator, start
from infra.export.cloudformation import Export, export_plan
from infra.plan.build import record_plan
from infra.plan.model import Plan
from infra.stack_files import settings_for_phase
from tests.system_tools import require

PHASES = (1, 2, 3, 4)


@pytest.fixture(scope="session")
def plans() -> dict[int, Plan]:
    """The four phases, recorded afresh (each takes about a second)."""
    return {phase: record_plan(settings_for_phase(phase)) for phase in PHASES}


@pytest.fixture(scope="session")
def phase_plans() -> dict[int, Plan]:
    """The four phases as ``plan_for_phase`` gives them (through the plan cache)."""
    from infra.plan.build import plan_for_phase

    return {phase: plan_for_phase(phase) for phase in PHASES}


@pytest.fixture(scope="session")
def exports(phase_plans: dict[int, Plan]) -> dict[int, Export]:
    return {phase: export_plan(plan, "us-east-1") for phase, plan in phase_plans.items()}


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    running = start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One gm-infra cache folder (plans, judges' findings) for every worker of this run.

    Its entries are content-addressed and written atomically (a temporary file, then a
    rename), so workers share it safely; a test's own state and history stay its own.
    """
    base = tmp_path_factory.getbasetemp()
    # Under pytest-xdist each worker's base is popen-gwN inside the run's own folder.
    folder = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "gm-infra-cache"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture
def gm_home(tmp_path: Path, shared_cache: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``GM_INFRA_HOME`` of this test's own (state, history, locks) whose ``cache`` is the
    run's shared cache: a plan or template judged by one test is not judged again."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "cache").symlink_to(shared_cache, target_is_directory=True)
    monkeypatch.setenv("GM_INFRA_HOME", str(home))
    return home


@pytest.fixture
def emu(
    emulator: Emulator, tmp_path: Path, gm_home: Path, monkeypatch: pytest.MonkeyPatch
) -> Emulator:
    """A clean emulator, and gm-infra's state and stack files under tmp_path."""
    emulator.reset()
    monkeypatch.setenv("GM_INFRA_STACKS_DIR", str(tmp_path / "stacks"))
    monkeypatch.setenv("AWS_ENDPOINT_URL", emulator.endpoint)
    return emulator


@pytest.fixture
def run() -> Any:
    """Run a gm-infra command like the root does (known errors -> exit code + one line)."""
    from cli import GmGroup

    app = typer.Typer(cls=GmGroup, pretty_exceptions_enable=False)
    phase.register(app)
    verify.register(app)
    rightsize.register(app)
    local.register(app)
    runner = CliRunner()

    def invoke(*args: str) -> Any:
        return runner.invoke(app, list(args))

    return invoke


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="session")
def tls_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate and its key, made with openssl."""
    openssl = require("openssl")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture()
def nginx_dir(tmp_path: Path) -> Path:
    """A runtime dir nginx's workers (nobody, when run as root) can reach."""
    folder = tmp_path / "nginx"
    folder.mkdir()
    for path in (folder, *folder.parents):
        if path == Path("/tmp") or path == Path("/"):
            break
        path.chmod(0o755)
    return folder
