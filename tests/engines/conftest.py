"""One moto server per test session on a free loopback port; reset between tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import typer
from typer.testing import CliRunner

from infra.commands import local, phase, rightsize, verify
from infra.emulator.server import Emulator, start


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    running = start()
    yield running
    running.stop()


@pytest.fixture
def emu(emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    """A clean emulator, and gm-infra's state and stack files under tmp_path."""
    emulator.reset()
    monkeypatch.setenv("GM_INFRA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GM_INFRA_STACKS_DIR", str(tmp_path / "stacks"))
    monkeypatch.setenv("AWS_ENDPOINT_URL", emulator.endpoint)
    return emulator


def aws(emulator: Emulator, service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=emulator.endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


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
