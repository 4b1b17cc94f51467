"""The pulumi engine: the Automation API over this project and ``infra/stacks``.

It needs the pulumi CLI (the Automation API runs ``pulumi version`` when a workspace is
built) and AWS credentials. Without the CLI it stops at once with one line and a hint.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3

from infra.engines.base import Change, DeployResult, Inventory, Progress
from infra.errors import BadInputError, GmError
from infra.plan.build import cached_plan
from infra.plan.model import Plan
from infra.plan.types import tokens as t
from infra.settings import Settings
from infra.stack_files import REPO_ROOT, settings_for_stack, stack_file

INSTALL_HINT = (
    "install it (https://www.pulumi.com/docs/install/: curl -fsSL https://get.pulumi.com | sh) "
    "and log in, or rehearse on the emulator with --engine local"
)


class PulumiEngine:
    """``pulumi up`` through the Automation API, one stack at a time."""

    name = "pulumi"

    def __init__(self, stacks_dir: Path, project_dir: Path = REPO_ROOT):
        from pulumi import automation as auto

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
        try:
            outputs = self._stack(stack).outputs()
        except Exception:
            return None
        phase = outputs.get("phase")
        return int(phase.value) if phase is not None else None

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

        def on_event(event: Any) -> None:
            done = getattr(event, "res_outputs_event", None)
            if done is None:
                return
            meta = done.metadata
            res = by_urn.get(meta.urn)
            progress(
                Change(
                    meta.urn,
                    meta.type,
                    res.name if res else meta.urn.rsplit("::")[-1],
                    _action(str(meta.op)),
                )
            )

        try:
            result = stack.up(on_event=on_event)
        except auto.CommandError as error:
            raise GmError(f"pulumi up failed for {settings.stack}: {str(error)[-300:]}") from None
        return DeployResult(outputs={k: v.value for k, v in result.outputs.items()})

    def inventory(self, stack: str) -> Inventory:
        state = self._stack(stack).export_stack().deployment or {}
        return inventory_from_deployment(state, self.deployed_phase(stack) or 0)


def _action(op: str) -> Any:
    op = op.lower().rsplit(".", 1)[-1]
    return {
        "create": "create",
        "update": "update",
        "replace": "replace",
        "delete": "delete",
        "same": "same",
    }.get(op, "update")


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
