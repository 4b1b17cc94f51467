"""The local engine: apply a Plan to an AWS emulator on loopback, keeping state per stack.

For each resource, in dependency order: rewrite its inputs from the plan's fake values to
the real ones its dependencies got, then create it, update it in place, replace it, or leave
it. A change to an input the type catalogue (``infra/plan/types``) lists as create-only is a
replacement, as in AWS; other changes go to the handler's update. Resources that left the
plan are deleted in reverse order, except protected ones, which are retained. A protected
resource is never replaced or deleted.
"""

from __future__ import annotations

import graphlib
import uuid
from typing import Any

import boto3
import typer
from botocore.config import Config

from infra.emulator.endpoint import EMULATOR_CREDENTIALS, loopback_endpoint
from infra.engines.base import Action, Change, DeployResult, Inventory, Progress
from infra.engines.handlers import HANDLERS
from infra.engines.handlers.base import Applied, Context, NeedsReplacement
from infra.engines.inventory import inventory_from_state
from infra.engines.resolve import resolve, substitutions
from infra.engines.state import ResourceState, StackState, load_state, save_state
from infra.errors import CheckFailedError, GmError
from infra.plan.mocks import fake_outputs
from infra.plan.model import SECRET, Plan, PlannedResource
from infra.plan.types import facts
from infra.plan.types.tokens import RANDOM_PASSWORD
from infra.settings import PROJECT, Settings

_BOTO_CONFIG = Config(
    retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=5, read_timeout=60
)


EMULATOR_MARKER = "/gm-infra/emulator-run"


class LocalEngine:
    """Plan -> boto3 against the emulator at ``endpoint`` (loopback only)."""

    name = "local"

    def __init__(self, endpoint: str):
        self.endpoint = loopback_endpoint(endpoint)
        self._sessions: dict[str, Any] = {}
        self._clients: dict[tuple[str, str], Any] = {}

    def client(self, service: str, region: str) -> Any:
        """One client per service and region (creating one costs ~0.3 s of model loading)."""
        key = (service, region)
        if key not in self._clients:
            if region not in self._sessions:
                self._sessions[region] = boto3.session.Session(
                    region_name=region, **EMULATOR_CREDENTIALS
                )
            self._clients[key] = self._sessions[region].client(
                service, endpoint_url=self.endpoint, config=_BOTO_CONFIG
            )
        return self._clients[key]

    def emulator_id(self, region: str) -> str:
        """A marker this emulator run holds: a restarted emulator is empty, and has a new one."""
        ssm = self.client("ssm", region)
        try:
            return str(ssm.get_parameter(Name=EMULATOR_MARKER)["Parameter"]["Value"])
        except ssm.exceptions.ParameterNotFound:
            marker = uuid.uuid4().hex
            ssm.put_parameter(Name=EMULATOR_MARKER, Value=marker, Type="String")
            return marker

    def _load(self, stack: str) -> StackState | None:
        """The stack's state, unless it was made on an emulator run that is gone."""
        state = load_state(stack)
        if state is None:
            return None
        if state.emulator_id != self.emulator_id(state.region):
            typer.echo(
                f"note: the local state of stack {stack!r} was made on an earlier emulator run "
                "whose resources are gone; starting from an empty stack",
                err=True,
            )
            return None
        return state

    def deployed_phase(self, stack: str) -> int | None:
        state = self._load(stack)
        return state.phase if state is not None else None

    def deployed_plan(self, stack: str) -> Plan | None:
        state = self._load(stack)
        if state is None:
            return None
        resources = [
            PlannedResource(
                urn=r.urn,
                type=r.type,
                name=r.name,
                custom=r.custom,
                parent=r.parent,
                inputs=r.inputs,
                dependencies=r.dependencies,
                protect=r.protect,
            )
            for r in state.resources.values()
        ]
        return Plan(
            project=PROJECT, stack=stack, phase=state.phase, resources=resources, outputs={}
        )

    def inventory(self, stack: str) -> Inventory:
        state = self._load(stack)
        if state is None:
            raise GmError(
                f"stack {stack!r} was never deployed on the local engine",
                hint=f"gm-infra phase 1 --stack {stack} --engine local",
            )
        return inventory_from_state(state)

    def deploy(self, settings: Settings, plan: Plan, progress: Progress) -> DeployResult:
        emulator_id = self.emulator_id(settings.region)
        old = self._load(plan.stack) or StackState(
            stack=plan.stack,
            phase=0,
            engine=self.name,
            region=settings.region,
            endpoint=self.endpoint,
            emulator_id=emulator_id,
        )
        new = StackState(
            stack=plan.stack,
            phase=plan.phase,
            engine=self.name,
            region=settings.region,
            endpoint=self.endpoint,
            emulator_id=emulator_id,
        )
        ctx = Context(plan.stack, settings.region, lambda s: self.client(s, settings.region))
        result = DeployResult()
        removed: set[str] = set()

        def done(change: Change) -> None:
            result.changes.append(change)
            progress(change)

        try:
            for res in _ordered(plan):
                record = _apply_one(ctx, res, old.resources.get(res.urn), new, settings.region)
                new.resources[res.urn] = record[0]
                done(record[1])
            for gone in _reverse_ordered(old, set(plan.by_urn())):
                change = _remove(ctx, gone)
                if change.action == "retain":
                    new.resources[gone.urn] = gone
                else:
                    removed.add(gone.urn)
                done(change)
        finally:
            # Keep what exists, even after a failure: the next run continues from here.
            for urn, kept in old.resources.items():
                if urn not in removed:
                    new.resources.setdefault(urn, kept)
            if len(result.changes) < len(plan.resources):
                new.phase = old.phase
            save_state(new)
        return result


def _ordered(plan: Plan) -> list[PlannedResource]:
    by_urn = plan.by_urn()
    sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
    for res in sorted(plan.resources, key=lambda r: r.urn):
        sorter.add(res.urn, *(d for d in res.dependencies if d in by_urn))
    return [by_urn[urn] for urn in sorter.static_order()]


def _reverse_ordered(old: StackState, keep: set[str]) -> list[ResourceState]:
    sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
    for urn, res in sorted(old.resources.items()):
        sorter.add(urn, *(d for d in res.dependencies if d in old.resources))
    order = list(sorter.static_order())
    return [old.resources[urn] for urn in reversed(order) if urn not in keep]


def _table(res: PlannedResource, new: StackState) -> tuple[dict[str, str], set[str]]:
    """fake -> real for every dependency already deployed; and the real secret values."""
    table: dict[str, str] = {}
    secrets: set[str] = set()
    for dep_urn in res.dependencies:
        dep = new.resources.get(dep_urn)
        if dep is None or not dep.custom:
            continue
        table.update(substitutions(dep.fake, {**dep.outputs, "id": dep.id}))
        if dep.type == RANDOM_PASSWORD and "result" in dep.outputs:
            table[SECRET] = str(dep.outputs["result"])
            secrets.add(str(dep.outputs["result"]))
    return table, secrets


def _redact(value: Any, secrets: set[str]) -> Any:
    if isinstance(value, dict):
        return {k: _redact(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v, secrets) for v in value]
    return SECRET if isinstance(value, str) and value in secrets else value


def _record(
    res: PlannedResource, resolved: dict[str, Any], applied: Applied, fake: dict[str, Any]
) -> ResourceState:
    return ResourceState(
        urn=res.urn,
        type=res.type,
        name=res.name,
        custom=res.custom,
        protect=res.protect,
        parent=res.parent,
        dependencies=list(res.dependencies),
        inputs=res.inputs,
        resolved=resolved,
        id=applied.id,
        outputs=applied.outputs,
        fake=fake,
        emulated=applied.emulated,
        note=applied.note,
    )


def _apply_one(
    ctx: Context, res: PlannedResource, old: ResourceState | None, new: StackState, region: str
) -> tuple[ResourceState, Change]:
    if not res.custom:
        record = ResourceState(
            urn=res.urn,
            type=res.type,
            name=res.name,
            custom=False,
            protect=res.protect,
            parent=res.parent,
            dependencies=list(res.dependencies),
            inputs=res.inputs,
            id=res.urn,
        )
        made: Action = "same" if old else "create"
        return record, Change(res.urn, res.type, res.name, made, custom=False)
    if facts(res.type) is None:
        raise GmError(
            f"{res.type} ({res.name}) is not in the resource type catalogue",
            hint="add it to infra/plan/types/entries.py, then a handler in infra/engines/handlers/",
        )
    handler = HANDLERS.get(res.type)
    if handler is None:
        raise GmError(
            f"the local engine has no mapping for {res.type} ({res.name})",
            hint="add one in infra/engines/handlers/",
        )
    table, secrets = _table(res, new)
    resolved = resolve(res.inputs, table)
    stored = _redact(resolved, secrets)
    fake = fake_outputs(region, res.type, res.name, res.inputs)
    action: Action
    try:
        if old is None:
            applied = handler.create(ctx, res, resolved)
            action = "create"
        elif old.resolved == stored and old.type == res.type:
            applied = Applied(id=old.id, outputs=old.outputs, emulated=old.emulated, note=old.note)
            action = "same"
        else:
            applied, action = _change(ctx, res, old, resolved, stored)
    except CheckFailedError:
        raise
    except Exception as error:  # boto3 and botocore errors, one line each
        raise GmError(
            f"{res.type} {res.name}: {_one_line(error)}",
            hint="the emulator refused a call; the state file keeps what was done",
        ) from None
    record = _record(res, stored, applied, fake)
    return record, Change(res.urn, res.type, res.name, action, applied.note, applied.emulated)


def create_only_changes(
    res: PlannedResource, old: ResourceState, stored: dict[str, Any]
) -> list[str]:
    """Changed top-level inputs that the catalogue says AWS cannot change in place."""
    found = facts(res.type)
    create_only = found.replace_on if found is not None else frozenset()
    return sorted(
        key
        for key in create_only
        if old.type == res.type and old.resolved.get(key) != stored.get(key)
    )


def _change(
    ctx: Context,
    res: PlannedResource,
    old: ResourceState,
    resolved: dict[str, Any],
    stored: dict[str, Any],
) -> tuple[Applied, Action]:
    handler = HANDLERS[res.type]
    create_only = create_only_changes(res, old, stored)
    if handler.update is not None and not create_only:
        try:
            return handler.update(ctx, res, old, resolved), "update"
        except NeedsReplacement:
            pass
    if res.protect or old.protect:
        raise CheckFailedError(
            f"{res.name} is protected and this change would replace it"
            + (f" ({', '.join(create_only)} cannot change in place)" if create_only else ""),
            hint="protected resources hold data; change them by hand, never by replacement",
        )
    if handler.delete is not None and old.emulated:
        handler.delete(ctx, old)
    return handler.create(ctx, res, resolved), "replace"


def _remove(ctx: Context, gone: ResourceState) -> Change:
    if gone.protect:
        kept = "protected: kept although it left the plan"
        return Change(gone.urn, gone.type, gone.name, "retain", kept, custom=gone.custom)
    handler = HANDLERS.get(gone.type)
    note: str | None = None
    if gone.custom and handler is not None:
        if handler.delete is not None and gone.emulated:
            try:
                handler.delete(ctx, gone)
            except Exception as error:
                raise GmError(f"deleting {gone.type} {gone.name}: {_one_line(error)}") from None
        elif handler.delete is None:
            note = handler.note or "no delete call in the emulator: left there"
    return Change(gone.urn, gone.type, gone.name, "delete", note, note is None, gone.custom)


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())[:300]
