"""The pulumi engine: the Automation API over this project and ``infra/stacks``.

It needs the pulumi CLI (the Automation API runs ``pulumi version`` when a workspace is
built) and AWS credentials. Without the CLI it stops at once with one line and a hint.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3

from infra.engines.base import Action, Change, DeployResult, Inventory, Progress
from infra.errors import BadInputError, CheckFailedError, GmError
from infra.paths import project
from infra.plan.build import cached_plan
from infra.plan.model import Plan
from infra.plan.types import tokens as t
from infra.settings import Settings
from infra.stack_files import settings_for_stack, stack_file

INSTALL_HINT = (
    "install it (https://www.pulumi.com/docs/install/: curl -fsSL https://get.pulumi.com | sh) "
    "and log in, or rehearse on the emulator with --engine local"
)


class PulumiEngine:
    """``pulumi up`` through the Automation API, one stack at a time."""

    name = "pulumi"

    def __init__(self, stacks_dir: Path, project_dir: Path | None = None):
        from pulumi import automation as auto

        project_dir = project_dir or project().root
        self.stacks_dir = stacks_dir
        self.project_dir = project_dir
        try:
            self.workspace = auto.LocalWorkspace(work_dir=str(project_dir))
        except FileNotFoundError:
            raise BadInputError(
                "the pulumi CLI is not installed (not on PATH)", hint=INSTALL_HINT
            ) from None
        except Exception as error:  # a CLI that is present but broken or too old
            raise BadInputError(
                f"the pulumi CLI cannot be used: {error}", hint=INSTALL_HINT
            ) from None

    def client(self, service: str, region: str) -> Any:
        return boto3.session.Session(region_name=region).client(service)

    def _stack(self, stack: str) -> Any:
        from pulumi import automation as auto

        return auto.select_stack(stack_name=stack, work_dir=str(self.project_dir))

    def deployed_phase(self, stack: str) -> int | None:
        """The phase the stack's outputs say; None only when the stack does not exist or
        has never been deployed (no outputs). Anything else that stops the read (credentials,
        the backend, a broken checkpoint) is an error: taking it as "nothing deployed" would
        switch off the step and shard-map checks of a promotion."""
        from pulumi import automation as auto

        try:
            outputs = self._stack(stack).outputs()
        except auto.StackNotFoundError:
            return None
        except Exception as error:
            raise CheckFailedError(
                f"cannot read which phase stack {stack} runs: {_last_line(error)}",
                hint="check the pulumi login and AWS credentials (pulumi stack output -s "
                f"{stack}); nothing was changed",
            ) from None
        if not outputs:
            return None
        phase = outputs.get("phase")
        try:
            return int(phase.value) if phase is not None else _no_phase(stack)
        except (TypeError, ValueError):
            raise CheckFailedError(
                f"stack {stack}'s phase output is {phase.value!r}, not a phase number",
                hint="nothing was changed; check the stack's outputs (pulumi stack output)",
            ) from None

    def deployed_plan(self, stack: str) -> Plan | None:
        if not stack_file(stack, self.stacks_dir).exists():
            return None
        return cached_plan(settings_for_stack(stack, self.stacks_dir))

    def deploy(self, settings: Settings, plan: Plan, progress: Progress) -> DeployResult:
        from pulumi import automation as auto

        stack = auto.create_or_select_stack(
            stack_name=settings.stack, work_dir=str(self.project_dir)
        )
        stack.set_config("green-matchers:phase", auto.ConfigValue(str(settings.phase)))
        by_urn = plan.by_urn()
        changes: list[Change] = []

        def on_event(event: Any) -> None:
            done = getattr(event, "res_outputs_event", None)
            if done is None:
                return
            meta = done.metadata
            action = _action(str(meta.op))
            if action is None:
                return
            res = by_urn.get(meta.urn)
            change = Change(
                meta.urn,
                meta.type,
                res.name if res else meta.urn.rsplit("::")[-1],
                action,
                # the stack and the providers are not in the Plan, and not cloud resources
                custom=res.custom if res else False,
            )
            changes.append(change)
            progress(change)

        try:
            result = stack.up(on_event=on_event)
        except auto.CommandError as error:
            raise GmError(f"pulumi up failed for {settings.stack}: {_last_line(error)}") from None
        return DeployResult(
            changes=changes, outputs={k: v.value for k, v in result.outputs.items()}
        )

    def inventory(self, stack: str) -> Inventory:
        state = self._stack(stack).export_stack().deployment or {}
        return inventory_from_deployment(state, self.deployed_phase(stack) or 0)


def _no_phase(stack: str) -> int:
    raise CheckFailedError(
        f"stack {stack} has outputs but no phase output: it was not deployed by gm-infra",
        hint="nothing was changed; deploy it with gm-infra phase, or use another stack name",
    )


def _last_line(error: Exception) -> str:
    """The last line the CLI said (Automation API errors carry code, stdout and stderr)."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    last = lines[-1] if lines else type(error).__name__
    for prefix in ("stderr:", "stdout:"):
        last = last.removeprefix(prefix).strip()
    return last[-300:]


# Pulumi reports a replacement as three steps (create-replacement, replace, delete-replaced);
# as in Pulumi's own summary, only ``replace`` counts. Reads and refreshes change nothing.
_ACTIONS: dict[str, Action | None] = {
    "create": "create",
    "import": "create",
    "update": "update",
    "replace": "replace",
    "delete": "delete",
    "same": "same",
    "read": "same",
    "refresh": "same",
}


def _action(op: str) -> Action | None:
    """The Change action of a Pulumi step (``OpType.CREATE`` or ``create``); None for the
    parts of a replacement and the steps that are not changes."""
    name = op.rsplit(".", 1)[-1].lower().replace("_", "-")
    return _ACTIONS.get(name)


def inventory_from_deployment(deployment: dict[str, Any], phase: int) -> Inventory:
    """Verify's view of a Pulumi checkpoint: real ids and outputs by resource type."""
    resources = deployment.get("resources", [])

    def of(type_token: str) -> list[dict[str, Any]]:
        return [r for r in resources if r.get("type") == type_token]

    databases = of(t.RDS_INSTANCE)
    return Inventory(
        phase=phase,
        load_balancers=[r["id"] for r in of(t.LOAD_BALANCER)],
        target_groups=[r["id"] for r in of(t.TARGET_GROUP)],
        auto_scaling_groups={
            r["id"]: int(r.get("outputs", {}).get("desiredCapacity", 0))
            for r in of(t.AUTOSCALING_GROUP)
        },
        db_primaries=[
            r["id"] for r in databases if not r.get("outputs", {}).get("replicateSourceDb")
        ],
        db_replicas=[r["id"] for r in databases if r.get("outputs", {}).get("replicateSourceDb")],
        db_classes={r["id"]: str(r.get("outputs", {}).get("instanceClass", "")) for r in databases},
        cache_groups={
            r["id"]: int(r.get("outputs", {}).get("numCacheClusters", 1))
            for r in of(t.REPLICATION_GROUP)
        },
        distributions=[r["id"] for r in of(t.DISTRIBUTION)],
        lattice_networks=[r["id"] for r in of(t.LATTICE_NETWORK)],
        lattice_services=[r["id"] for r in of(t.LATTICE_SERVICE)],
    )
