"""What verify and rightsize look at, read from a local stack state."""

from __future__ import annotations

from infra.engines.base import RESHARD_NOT_EMULATED, Inventory
from infra.engines.state import ResourceState, StackState
from infra.phases import SHARDED_PHASE
from infra.plan.inputs import integer
from infra.plan.types import tokens as t


def inventory_from_state(state: StackState) -> Inventory:
    def ids(type_token: str) -> list[str]:
        return [r.id for r in state.of_type(type_token) if r.emulated]

    databases = state.of_type(t.RDS_INSTANCE)
    groups = state.of_type(t.REPLICATION_GROUP)
    return Inventory(
        phase=state.phase,
        load_balancers=ids(t.LOAD_BALANCER),
        target_groups=ids(t.TARGET_GROUP),
        auto_scaling_groups={
            g.id: integer(g.inputs.get("desiredCapacity", g.inputs.get("minSize", 0)))
            for g in state.of_type(t.AUTOSCALING_GROUP)
        },
        asg_types={g.id: _instance_type(state, g) for g in state.of_type(t.AUTOSCALING_GROUP)},
        db_classes={d.id: str(d.inputs.get("instanceClass", "")) for d in databases},
        db_primaries=[d.id for d in databases if not d.inputs.get("replicateSourceDb")],
        db_replicas=[d.id for d in databases if d.inputs.get("replicateSourceDb")],
        cache_groups={g.id: integer(g.inputs.get("numCacheClusters", 1)) for g in groups},
        distributions=ids(t.DISTRIBUTION),
        lattice_networks=ids(t.LATTICE_NETWORK),
        lattice_services=ids(t.LATTICE_SERVICE),
        logical={r.id: r.name for r in state.resources.values() if r.custom},
        not_emulated={
            f"{r.type.split(':')[-1]} {r.name}": r.note or "not emulated"
            for r in state.not_emulated()
        }
        | _reshard_note(state.phase),
    )


def _instance_type(state: StackState, group: ResourceState) -> str:
    """The instance type of an ASG's launch template (first override for mixed policies)."""
    mixed = group.inputs.get("mixedInstancesPolicy")
    if mixed:
        overrides = mixed.get("launchTemplate", {}).get("overrides", [])
        if overrides:
            return str(overrides[0].get("instanceType", ""))
    for dep in group.dependencies:
        found = state.resources.get(dep)
        if found is not None and found.type == t.LAUNCH_TEMPLATE:
            return str(found.inputs.get("instanceType", ""))
    return ""


def _reshard_note(phase: int) -> dict[str, str]:
    if phase < SHARDED_PHASE:
        return {}
    return {
        RESHARD_NOT_EMULATED: "the emulator's databases hold no rows: rehearse the data move "
        "with gm-infra app reshard against local MariaDB (README: Local data rehearsal)"
    }
