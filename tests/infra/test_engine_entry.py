"""infra/__main__.py, the file `pulumi up` runs, reads the engine's config the same way."""

from __future__ import annotations

import asyncio
import runpy
from pathlib import Path

import pulumi
import pytest
from pulumi.runtime.config import set_all_config
from pulumi.runtime.mocks import set_mocks
from pulumi.runtime.settings import reset_options
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from infra.plan.mocks import PlanMocks, RecordingMonitor
from infra.plan.model import Plan
from infra.program import REPO_ROOT

MAIN = REPO_ROOT / "infra" / "__main__.py"


def run_entry(config: dict[str, str], stack: str) -> RecordingMonitor:
    mocks = PlanMocks("us-east-1")
    monitor = RecordingMonitor(mocks)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        set_all_config(config)
        set_mocks(mocks, project="green-matchers", stack=stack, preview=False, monitor=monitor)
        _sync_await(run_pulumi_func(lambda: runpy.run_path(str(MAIN), run_name="__main__")))
    finally:
        set_all_config({})
        reset_options()
        asyncio.set_event_loop(None)
        loop.close()
    return monitor


def test_engine_entry_declares_what_the_offline_plan_shows(plans: dict[int, Plan]) -> None:
    # The engine hands every config value over as a string, structured ones as JSON.
    monitor = run_entry(
        {
            "green-matchers:phase": "2",
            "aws:region": "us-east-1",
            "green-matchers:stickySessions": "true",
        },
        "phase2",
    )
    assert sorted(r.urn for r in monitor.registrations) == sorted(r.urn for r in plans[2].resources)


def test_engine_entry_refuses_bad_settings_in_one_line() -> None:
    with pytest.raises(pulumi.RunError, match=r"green-matchers:phase=9 is not allowed"):
        run_entry({"green-matchers:phase": "9", "aws:region": "us-east-1"}, "bad")


def test_pulumi_yaml_points_at_the_program_and_stack_configs() -> None:
    import yaml

    project = yaml.safe_load((REPO_ROOT / "Pulumi.yaml").read_text())
    assert project["name"] == "green-matchers"
    assert project["main"] == "infra/" and project["stackConfigDir"] == "infra/stacks"
    assert project["runtime"]["name"] == "python"
    stacks = sorted(p.name for p in (REPO_ROOT / "infra" / "stacks").glob("Pulumi.*.yaml"))
    assert {f"Pulumi.phase{n}.yaml" for n in (1, 2, 3, 4)} <= set(stacks)
    assert Path(REPO_ROOT / project["main"], "__main__.py").exists()
