"""Offline plans: run the real program in-process under the recording mocks.

No pulumi CLI, no credentials, no network. The Plan is exactly what the program
registers, so it cannot drift from what ``pulumi up`` would be asked to create.
"""

from __future__ import annotations

import asyncio
import gc
import sys
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import resource as runtime_resource
from pulumi.runtime import rpc
from pulumi.runtime.mocks import set_mocks
from pulumi.runtime.proto import source_pb2
from pulumi.runtime.settings import reset_options
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from infra.paths import project
from infra.plan import cache
from infra.plan.elsewhere import plans_in
from infra.plan.mocks import PlanMocks, RecordingMonitor, Registration
from infra.plan.model import SECRET, Plan, PlannedResource
from infra.program import REPO_ROOT, build
from infra.settings import Settings
from infra.stack_files import settings_for_phase, settings_for_stack


def plan_for_phase(phase: int) -> Plan:
    """The plan of the bare phase profile (stack ``phaseN``), by the project's own program."""
    here = project()
    if not here.is_install:
        return plans_in(here.root, [f"phase={phase}"], f"phase {phase}")[0]
    return cached_plan(settings_for_phase(phase))


def plan_for_stack(stack: str, stacks_dir: Path | None = None) -> Plan:
    """The plan of ``infra/stacks/Pulumi.<stack>.yaml``, by the project's own program.

    In a project other than gm-infra's own checkout (a second clone), that project's
    program plans it, in a subprocess (``infra/plan/elsewhere.py``)."""
    here = project()
    if not here.is_install:
        env = {"GM_INFRA_STACKS_DIR": str(stacks_dir.resolve())} if stacks_dir else None
        return plans_in(here.root, [f"stack={stack}"], f"stack {stack}", env)[0]
    return cached_plan(settings_for_stack(stack, stacks_dir))


def cached_plan(settings: Settings, repo_root: Path = REPO_ROOT) -> Plan:
    """``record_plan`` behind the content-addressed cache (``infra/plan/cache.py``)."""

    def record(wanted: Settings, root: Path) -> Plan:
        # a few seconds of silence otherwise (issue 22: progress on every wait over two)
        print(f"gm-infra: planning {wanted.stack} offline (not in the plan cache)", file=sys.stderr)
        return record_plan(wanted, root)

    return cache.through_cache(settings, repo_root, record)


def record_plan(settings: Settings, repo_root: Path = REPO_ROOT) -> Plan:
    """Run ``program.build`` under mocks and return what it registered."""
    mocks = PlanMocks(settings.region)
    monitor = RecordingMonitor(mocks)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    outputs: dict[str, Any] = {}
    stack_trace = runtime_resource._get_stack_trace
    # Each registration walks the Python stack for its source position (about a tenth of a
    # plan's time); the Plan does not record it, so recording asks for an empty trace.
    runtime_resource._get_stack_trace = _no_stack_trace
    # The SDK allocates tens of thousands of short-lived futures and closures per plan; the
    # cyclic collector's passes over them were about 40% of an uncached plan. Reference
    # counting frees them as usual; cycles wait until recording ends.
    collecting = gc.isenabled()
    gc.disable()
    try:
        set_mocks(
            mocks, project=settings.project, stack=settings.stack, preview=False, monitor=monitor
        )

        def program() -> None:
            declared = build(settings, repo_root)
            resolved: Any = pulumi.Output.all(**declared).future()
            outputs.update(_sync_await(resolved) or {})

        _sync_await(run_pulumi_func(program))
    finally:
        if collecting:
            gc.enable()
        runtime_resource._get_stack_trace = stack_trace
        reset_options()
        asyncio.set_event_loop(None)
        loop.close()

    stack_urn = f"urn:pulumi:{settings.stack}::{settings.project}::pulumi:pulumi:Stack::"
    secrets = mocks.minted_secrets
    resources = [_planned(r, stack_urn, secrets) for r in monitor.registrations]
    return Plan(
        project=settings.project,
        stack=settings.stack,
        phase=settings.phase,
        resources=resources,
        outputs=_redact(outputs, secrets),
    )


def _no_stack_trace() -> Any:
    return source_pb2.StackTrace()


def _planned(reg: Registration, stack_urn: str, secrets: set[str]) -> PlannedResource:
    parent = None if not reg.parent or reg.parent.startswith(stack_urn) else reg.parent
    return PlannedResource(
        urn=reg.urn,
        type=reg.type,
        name=reg.name,
        custom=reg.custom,
        parent=parent,
        inputs=_redact(_jsonable(reg.inputs), secrets),
        dependencies=[d for d in reg.dependencies if not d.startswith(stack_urn)],
        protect=reg.protect,
    )


def _jsonable(value: Any) -> Any:
    """Wire values as JSON: assets become their path relative to the repository."""
    if rpc.is_rpc_secret(value):
        return SECRET
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in sorted(value.items()) if not k.startswith("__")}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, pulumi.FileAsset | pulumi.FileArchive):
        path = Path(str(value.path))
        shown = path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path
        return {"asset": shown.as_posix()}
    if isinstance(value, pulumi.Asset | pulumi.Archive):
        return {"asset": type(value).__name__}
    if isinstance(value, float) and value.is_integer():
        return int(value)  # the wire carries every number as a double
    return value


def _redact(value: Any, secrets: set[str]) -> Any:
    """Belt and braces: any string that contains a minted secret is replaced too."""
    if isinstance(value, dict):
        return {k: _redact(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v, secrets) for v in value]
    if isinstance(value, str) and any(s in value for s in secrets):
        return SECRET
    return value
