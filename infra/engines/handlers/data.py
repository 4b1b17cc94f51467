"""RDS (parameter and subnet groups, instances and replicas, proxies), ElastiCache,
Secrets Manager and the generated Redis AUTH token."""

from __future__ import annotations

import secrets
import string
from typing import Any

from botocore.exceptions import ClientError

from infra.engines.handlers.base import Applied, Context, Handler, integer, tag_list
from infra.engines.state import ResourceState
from infra.plan.model import PlannedResource


def _param_group(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    rds = ctx.client("rds")
    name = str(inputs.get("name") or ctx.physical_name(res, 255)).lower()
    rds.create_db_parameter_group(
        DBParameterGroupName=name,
        DBParameterGroupFamily=inputs["family"],
        Description=inputs.get("description", "Managed by gm-infra"),
        Tags=tag_list(inputs),
    )
    _set_parameters(ctx, name, inputs)
    return Applied(
        id=name, outputs={"name": name, "arn": f"arn:aws:rds:{ctx.region}:123456789012:pg:{name}"}
    )


def _set_parameters(ctx: Context, name: str, inputs: dict[str, Any]) -> None:
    params = [
        {
            "ParameterName": p["name"],
            "ParameterValue": str(p["value"]),
            "ApplyMethod": p.get("applyMethod", "immediate"),
        }
        for p in inputs.get("parameters", [])
    ]
    if params:
        ctx.client("rds").modify_db_parameter_group(DBParameterGroupName=name, Parameters=params)


def _update_param_group(
    ctx: Context, res: PlannedResource, old: ResourceState, inputs: dict[str, Any]
) -> Applied:
    _set_parameters(ctx, old.id, inputs)
    return Applied(id=old.id, outputs=old.outputs)


def _db_subnets(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    name = str(inputs.get("name") or ctx.physical_name(res, 255)).lower()
    found = ctx.client("rds").create_db_subnet_group(
        DBSubnetGroupName=name,
        DBSubnetGroupDescription=inputs.get("description", "gm-infra"),
        SubnetIds=inputs["subnetIds"],
        Tags=tag_list(inputs),
    )["DBSubnetGroup"]
    return Applied(id=name, outputs={"name": name, "arn": found.get("DBSubnetGroupArn", "")})


def _update_db_subnets(
    ctx: Context, res: PlannedResource, old: ResourceState, inputs: dict[str, Any]
) -> Applied:
    ctx.client("rds").modify_db_subnet_group(
        DBSubnetGroupName=old.id,
        DBSubnetGroupDescription=inputs.get("description", "gm-infra"),
        SubnetIds=inputs["subnetIds"],
    )
    return Applied(id=old.id, outputs=old.outputs)


def _db_outputs(db: dict[str, Any]) -> dict[str, Any]:
    endpoint = db.get("Endpoint") or {}
    address = str(endpoint.get("Address", ""))
    port = int(endpoint.get("Port", 3306))
    outputs: dict[str, Any] = {
        "identifier": db["DBInstanceIdentifier"],
        "address": address,
        "endpoint": f"{address}:{port}",
        "port": port,
        "arn": db.get("DBInstanceArn", ""),
        "resourceId": db.get("DbiResourceId", ""),
        "name": db["DBInstanceIdentifier"],
    }
    secret = db.get("MasterUserSecret")
    if secret:
        outputs["masterUserSecrets"] = [
            {
                "secretArn": secret.get("SecretArn", ""),
                "secretStatus": secret.get("SecretStatus", "active"),
                "kmsKeyId": secret.get("KmsKeyId", ""),
            }
        ]
    return outputs


def _master_password(inputs: dict[str, Any]) -> dict[str, Any]:
    """The program's generated password when the plan carries one, else RDS-managed."""
    if inputs.get("password"):
        return {"MasterUserPassword": str(inputs["password"])}
    return {"ManageMasterUserPassword": bool(inputs.get("manageMasterUserPassword", True))}


def _db_instance(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    rds = ctx.client("rds")
    identifier = str(inputs.get("identifier") or ctx.physical_name(res, 63)).lower()
    common: dict[str, Any] = {
        "DBInstanceIdentifier": identifier,
        "DBInstanceClass": inputs["instanceClass"],
        "VpcSecurityGroupIds": inputs.get("vpcSecurityGroupIds", []),
        "PubliclyAccessible": bool(inputs.get("publiclyAccessible", False)),
        "Tags": tag_list(inputs),
    }
    if inputs.get("replicateSourceDb"):
        db = rds.create_db_instance_read_replica(
            SourceDBInstanceIdentifier=inputs["replicateSourceDb"],
            DBParameterGroupName=inputs.get("parameterGroupName"),
            **common,
        )["DBInstance"]
    else:
        db = rds.create_db_instance(
            Engine=inputs["engine"],
            EngineVersion=str(inputs.get("engineVersion", "")),
            DBName=inputs.get("dbName", ""),
            MasterUsername=inputs.get("username", "admin"),
            **_master_password(inputs),
            AllocatedStorage=integer(inputs.get("allocatedStorage", 20)),
            MaxAllocatedStorage=integer(inputs.get("maxAllocatedStorage", 0) or 0) or None,
            StorageType=inputs.get("storageType", "gp3"),
            StorageEncrypted=bool(inputs.get("storageEncrypted", True)),
            MultiAZ=bool(inputs.get("multiAz", False)),
            BackupRetentionPeriod=integer(inputs.get("backupRetentionPeriod", 7)),
            DBSubnetGroupName=inputs.get("dbSubnetGroupName"),
            DBParameterGroupName=inputs.get("parameterGroupName"),
            DeletionProtection=bool(inputs.get("deletionProtection", True)),
            **common,
        )["DBInstance"]
    return Applied(id=identifier, outputs=_db_outputs(db))


def _update_db_instance(
    ctx: Context, res: PlannedResource, old: ResourceState, inputs: dict[str, Any]
) -> Applied:
    """In place: class, storage, Multi-AZ, backups (never a replacement: data lives here)."""
    changes: dict[str, Any] = {"DBInstanceClass": inputs["instanceClass"]}
    if "allocatedStorage" in inputs:
        changes["AllocatedStorage"] = integer(inputs["allocatedStorage"])
    if inputs.get("maxAllocatedStorage"):
        changes["MaxAllocatedStorage"] = integer(inputs["maxAllocatedStorage"])
    if "multiAz" in inputs:
        changes["MultiAZ"] = bool(inputs["multiAz"])
    if "backupRetentionPeriod" in inputs:
        changes["BackupRetentionPeriod"] = integer(inputs["backupRetentionPeriod"])
    db = ctx.client("rds").modify_db_instance(
        DBInstanceIdentifier=old.id, ApplyImmediately=True, **changes
    )["DBInstance"]
    return Applied(id=old.id, outputs={**old.outputs, **_db_outputs(db)})


def _delete_db_instance(ctx: Context, old: ResourceState) -> None:
    rds = ctx.client("rds")
    rds.modify_db_instance(
        DBInstanceIdentifier=old.id, DeletionProtection=False, ApplyImmediately=True
    )
    rds.delete_db_instance(DBInstanceIdentifier=old.id, SkipFinalSnapshot=True)


def _proxy(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    name = str(inputs.get("name") or ctx.physical_name(res, 63))
    proxy = ctx.client("rds").create_db_proxy(
        DBProxyName=name,
        EngineFamily=inputs["engineFamily"],
        Auth=[
            {
                "AuthScheme": a.get("authScheme", "SECRETS"),
                "SecretArn": a["secretArn"],
                "IAMAuth": a.get("iamAuth", "DISABLED"),
            }
            for a in inputs.get("auths", [])
        ],
        RoleArn=inputs["roleArn"],
        VpcSubnetIds=inputs["vpcSubnetIds"],
        VpcSecurityGroupIds=inputs.get("vpcSecurityGroupIds", []),
        RequireTLS=bool(inputs.get("requireTls", True)),
        IdleClientTimeout=integer(inputs.get("idleClientTimeout", 1800)),
        Tags=tag_list(inputs),
    )["DBProxy"]
    return Applied(
        id=name,
        outputs={
            "name": name,
            "arn": proxy.get("DBProxyArn", ""),
            "endpoint": proxy.get("Endpoint", ""),
        },
    )


def _proxy_pool(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    pool = inputs.get("connectionPoolConfig", {})
    ctx.client("rds").modify_db_proxy_target_group(
        TargetGroupName="default",
        DBProxyName=inputs["dbProxyName"],
        ConnectionPoolConfig={
            "MaxConnectionsPercent": integer(pool.get("maxConnectionsPercent", 100)),
            "MaxIdleConnectionsPercent": integer(pool.get("maxIdleConnectionsPercent", 50)),
            "ConnectionBorrowTimeout": integer(pool.get("connectionBorrowTimeout", 120)),
        },
    )
    return Applied(id=str(inputs["dbProxyName"]), outputs={"name": "default"})


def _proxy_target(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    ctx.client("rds").register_db_proxy_targets(
        DBProxyName=inputs["dbProxyName"],
        TargetGroupName=inputs.get("targetGroupName", "default"),
        DBInstanceIdentifiers=[inputs["dbInstanceIdentifier"]],
    )
    target_id = f"{inputs['dbProxyName']}/default/RDS_INSTANCE/{inputs['dbInstanceIdentifier']}"
    return Applied(id=target_id)


def _delete_proxy_target(ctx: Context, old: ResourceState) -> None:
    ctx.client("rds").deregister_db_proxy_targets(
        DBProxyName=old.resolved["dbProxyName"],
        TargetGroupName="default",
        DBInstanceIdentifiers=[old.resolved["dbInstanceIdentifier"]],
    )


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


def _secret(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    name = str(inputs.get("name") or ctx.physical_name(res, 256))
    found = ctx.client("secretsmanager").create_secret(
        Name=name, Description=inputs.get("description", ""), Tags=tag_list(inputs)
    )
    return Applied(id=found["ARN"], outputs={"arn": found["ARN"], "name": name})


def _secret_version(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    found = ctx.client("secretsmanager").put_secret_value(
        SecretId=inputs["secretId"], SecretString=str(inputs.get("secretString", ""))
    )
    return Applied(
        id=f"{inputs['secretId']}|{found['VersionId']}",
        outputs={"versionId": found["VersionId"], "arn": found["ARN"]},
    )


def _random_password(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    alphabet = string.ascii_letters + string.digits
    value = "".join(secrets.choice(alphabet) for _ in range(integer(inputs.get("length", 32))))
    # The plan shows this value as "[secret]" wherever it flows; map that to the real one.
    return Applied(id="none", outputs={"result": value})


HANDLERS: dict[str, Handler] = {
    "aws:rds/parameterGroup:ParameterGroup": Handler(
        create=_param_group,
        update=_update_param_group,
        delete=lambda ctx, old: ctx.client("rds").delete_db_parameter_group(
            DBParameterGroupName=old.id
        ),
    ),
    "aws:rds/subnetGroup:SubnetGroup": Handler(
        create=_db_subnets,
        update=_update_db_subnets,
        delete=lambda ctx, old: ctx.client("rds").delete_db_subnet_group(DBSubnetGroupName=old.id),
    ),
    "aws:rds/instance:Instance": Handler(
        create=_db_instance, update=_update_db_instance, delete=_delete_db_instance
    ),
    "aws:rds/proxy:Proxy": Handler(
        create=_proxy,
        delete=lambda ctx, old: ctx.client("rds").delete_db_proxy(DBProxyName=old.id),
    ),
    "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup": Handler(
        create=_proxy_pool,
        update=lambda ctx, res, old, inputs: _proxy_pool(ctx, res, inputs),
    ),
    "aws:rds/proxyTarget:ProxyTarget": Handler(create=_proxy_target, delete=_delete_proxy_target),
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
    "aws:secretsmanager/secret:Secret": Handler(
        create=_secret,
        delete=lambda ctx, old: ctx.client("secretsmanager").delete_secret(
            SecretId=old.id, ForceDeleteWithoutRecovery=True
        ),
    ),
    "aws:secretsmanager/secretVersion:SecretVersion": Handler(create=_secret_version),
    "random:index/randomPassword:RandomPassword": Handler(create=_random_password),
}
