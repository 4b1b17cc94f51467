"""ElastiCache: subnet and parameter groups and the Redis replication groups."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from infra.engines.handlers.base import Applied, Context, Handler, tag_list
from infra.engines.state import ResourceState
from infra.plan.inputs import integer
from infra.plan.model import PlannedResource


def _cache_subnets(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    name = str(inputs.get("name") or ctx.physical_name(res, 255)).lower()
    ctx.client("elasticache").create_cache_subnet_group(
        CacheSubnetGroupName=name,
        CacheSubnetGroupDescription=inputs.get("description", "gm-infra"),
        SubnetIds=inputs["subnetIds"],
        Tags=tag_list(inputs),
    )
    return Applied(id=name, outputs={"name": name})


def _update_cache_subnets(
    ctx: Context, res: PlannedResource, old: ResourceState, inputs: dict[str, Any]
) -> Applied:
    try:
        ctx.client("elasticache").modify_cache_subnet_group(
            CacheSubnetGroupName=old.id, SubnetIds=inputs["subnetIds"]
        )
    except Exception as error:  # moto answers unimplemented calls with a 500
        return Applied(
            id=old.id,
            outputs=old.outputs,
            emulated=False,
            note=f"the emulator cannot change a cache subnet group's subnets "
            f"(ModifyCacheSubnetGroup: {_code(error)}); AWS does it in place",
        )
    return Applied(id=old.id, outputs=old.outputs)


def _code(error: Exception) -> str:
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code", "error"))
    return "not implemented"


def _group_outputs(group: dict[str, Any]) -> dict[str, Any]:
    node_group = (group.get("NodeGroups") or [{}])[0]
    return {
        "arn": group.get("ARN", ""),
        "primaryEndpointAddress": (node_group.get("PrimaryEndpoint") or {}).get("Address", ""),
        "readerEndpointAddress": (node_group.get("ReaderEndpoint") or {}).get("Address", ""),
        "memberClusters": list(group.get("MemberClusters", [])),
    }


def _cache_parameter_group(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    name = str(inputs.get("name") or ctx.physical_name(res, 255)).lower()
    return Applied(
        id=name,
        outputs={"name": name, "arn": f"arn:aws:elasticache:{ctx.region}:000000000000:"
                 f"parametergroup:{name}"},
        emulated=False,
        note="moto has no ElastiCache parameter groups: the session store's noeviction "
        "policy is recorded, not applied",
    )  # fmt: skip


def _replication_group(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    group_id = str(inputs.get("replicationGroupId") or ctx.physical_name(res, 40)).lower()
    clusters = integer(inputs.get("numCacheClusters", 1))
    # moto ignores NumCacheClusters; ReplicasPerNodeGroup gives the same members.
    group = ctx.client("elasticache").create_replication_group(
        ReplicationGroupId=group_id,
        ReplicationGroupDescription=inputs.get("description", "gm-infra"),
        Engine=inputs.get("engine", "redis"),
        EngineVersion=str(inputs.get("engineVersion", "7.1")),
        CacheNodeType=inputs["nodeType"],
        NumCacheClusters=clusters,
        ReplicasPerNodeGroup=clusters - 1,
        AutomaticFailoverEnabled=bool(inputs.get("automaticFailoverEnabled", False)),
        MultiAZEnabled=bool(inputs.get("multiAzEnabled", False)),
        CacheSubnetGroupName=inputs.get("subnetGroupName"),
        SecurityGroupIds=inputs.get("securityGroupIds", []),
        Port=integer(inputs.get("port", 6379)),
        AuthToken=inputs.get("authToken"),
        TransitEncryptionEnabled=bool(inputs.get("transitEncryptionEnabled", True)),
        AtRestEncryptionEnabled=bool(inputs.get("atRestEncryptionEnabled", True)),
        SnapshotRetentionLimit=integer(inputs.get("snapshotRetentionLimit", 0)),
        Tags=tag_list(inputs),
    )["ReplicationGroup"]
    return Applied(id=group_id, outputs=_group_outputs(group))


def _update_replication_group(
    ctx: Context, res: PlannedResource, old: ResourceState, inputs: dict[str, Any]
) -> Applied:
    """Node type and failover by ModifyReplicationGroup, members by Increase/Decrease."""
    cache = ctx.client("elasticache")
    cache.modify_replication_group(
        ReplicationGroupId=old.id,
        ApplyImmediately=True,
        CacheNodeType=inputs["nodeType"],
        AutomaticFailoverEnabled=bool(inputs.get("automaticFailoverEnabled", False)),
        MultiAZEnabled=bool(inputs.get("multiAzEnabled", False)),
        SnapshotRetentionLimit=integer(inputs.get("snapshotRetentionLimit", 0)),
    )
    wanted = integer(inputs.get("numCacheClusters", 1))
    group = cache.describe_replication_groups(ReplicationGroupId=old.id)["ReplicationGroups"][0]
    have = len(group.get("MemberClusters", []))
    note = None
    if wanted != have:
        call = cache.increase_replica_count if wanted > have else cache.decrease_replica_count
        try:
            call(ReplicationGroupId=old.id, NewReplicaCount=wanted - 1, ApplyImmediately=True)
        except Exception as error:  # moto answers unimplemented calls with a 500
            note = (
                f"the emulator cannot resize the replication group ({_code(error)}): "
                f"it holds {have} members, the plan asks {wanted}"
            )
    group = cache.describe_replication_groups(ReplicationGroupId=old.id)["ReplicationGroups"][0]
    return Applied(id=old.id, outputs=_group_outputs(group), emulated=note is None, note=note)


HANDLERS: dict[str, Handler] = {
    "aws:elasticache/subnetGroup:SubnetGroup": Handler(
        create=_cache_subnets,
        update=_update_cache_subnets,
        note="moto has no DeleteCacheSubnetGroup: a removed group stays in the emulator",
    ),
    "aws:elasticache/parameterGroup:ParameterGroup": Handler(
        create=_cache_parameter_group,
        update=lambda ctx, res, old, inputs: _cache_parameter_group(ctx, res, inputs),
    ),
    "aws:elasticache/replicationGroup:ReplicationGroup": Handler(
        create=_replication_group,
        update=_update_replication_group,
        delete=lambda ctx, old: ctx.client("elasticache").delete_replication_group(
            ReplicationGroupId=old.id
        ),
    ),
}
