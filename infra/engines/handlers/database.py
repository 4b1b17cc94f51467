"""RDS: parameter and subnet groups, instances and replicas, RDS Proxy."""

from __future__ import annotations

from typing import Any

from infra.engines.handlers.base import Applied, Context, Handler, tag_list
from infra.engines.state import ResourceState
from infra.plan.inputs import integer
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
}
