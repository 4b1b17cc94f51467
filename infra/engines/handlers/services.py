"""VPC Lattice (phase 4): the service network, services, target groups and listeners."""

from __future__ import annotations

from typing import Any

from infra.engines.handlers.base import Applied, Context, Handler, same_again
from infra.plan.inputs import integer
from infra.plan.model import PlannedResource

NO_LATTICE_DELETE = "moto has no VPC Lattice delete calls: a removed item stays in the emulator"


def _lattice_network(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    found = ctx.client("vpc-lattice").create_service_network(
        name=inputs["name"], authType=inputs.get("authType", "NONE"), tags=inputs.get("tags", {})
    )
    return Applied(
        id=found["id"],
        outputs={"arn": found["arn"], "name": inputs["name"]},
        note=NO_LATTICE_DELETE,
    )


def _lattice_service(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    found = ctx.client("vpc-lattice").create_service(
        name=inputs["name"], authType=inputs.get("authType", "NONE"), tags=inputs.get("tags", {})
    )
    return Applied(
        id=found["id"],
        outputs={
            "arn": found["arn"],
            "name": inputs["name"],
            "dnsEntries": [found.get("dnsEntry", {})],
        },
        note=NO_LATTICE_DELETE,
    )


def _lattice_target_group(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    config = inputs.get("config", {})
    check = config.get("healthCheck", {})
    found = ctx.client("vpc-lattice").create_target_group(
        name=inputs["name"],
        type=inputs.get("type", "INSTANCE"),
        config={
            "port": integer(config.get("port", 80)),
            "protocol": config.get("protocol", "HTTP"),
            "vpcIdentifier": config["vpcIdentifier"],
            "healthCheck": {
                "enabled": bool(check.get("enabled", True)),
                "path": check.get("path", "/"),
                "protocol": check.get("protocol", "HTTP"),
                "healthCheckIntervalSeconds": integer(check.get("healthCheckIntervalSeconds", 30)),
                "healthCheckTimeoutSeconds": integer(check.get("healthCheckTimeoutSeconds", 5)),
                "healthyThresholdCount": integer(check.get("healthyThresholdCount", 5)),
                "unhealthyThresholdCount": integer(check.get("unhealthyThresholdCount", 2)),
            },
        },
        tags=inputs.get("tags", {}),
    )
    return Applied(
        id=found["id"],
        outputs={"arn": found["arn"], "name": inputs["name"]},
        note=NO_LATTICE_DELETE,
    )


def _lattice_listener(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    action = inputs["defaultAction"]
    forward = action.get("forward") or (action.get("forwards") or [{}])[0]
    groups = forward.get("targetGroups") or forward.get("target_groups") or []
    found = ctx.client("vpc-lattice").create_listener(
        serviceIdentifier=inputs["serviceIdentifier"],
        name=str(inputs.get("name") or ctx.physical_name(res, 63)),
        protocol=inputs.get("protocol", "HTTPS"),
        port=integer(inputs.get("port", 443)),
        defaultAction={
            "forward": {
                "targetGroups": [
                    {
                        "targetGroupIdentifier": g.get("targetGroupIdentifier")
                        or g.get("target_group_identifier"),
                        "weight": integer(g.get("weight", 100)),
                    }
                    for g in groups
                ]
            }
        },
        tags=inputs.get("tags", {}),
    )
    return Applied(id=found["id"], outputs={"arn": found["arn"]}, note=NO_LATTICE_DELETE)


def _lattice_service_association(
    ctx: Context, res: PlannedResource, inputs: dict[str, Any]
) -> Applied:
    found = ctx.client("vpc-lattice").create_service_network_service_association(
        serviceIdentifier=inputs["serviceIdentifier"],
        serviceNetworkIdentifier=inputs["serviceNetworkIdentifier"],
        tags=inputs.get("tags", {}),
    )
    return Applied(id=found["id"], outputs={"arn": found["arn"]}, note=NO_LATTICE_DELETE)


def _lattice_vpc_association(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    found = ctx.client("vpc-lattice").create_service_network_vpc_association(
        serviceNetworkIdentifier=inputs["serviceNetworkIdentifier"],
        vpcIdentifier=inputs["vpcIdentifier"],
        securityGroupIds=inputs.get("securityGroupIds", []),
        tags=inputs.get("tags", {}),
    )
    return Applied(id=found["id"], outputs={"arn": found["arn"]}, note=NO_LATTICE_DELETE)


def _lattice_auth_policy(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    target = inputs["resourceIdentifier"]
    ctx.client("vpc-lattice").put_auth_policy(resourceIdentifier=target, policy=inputs["policy"])
    return Applied(id=target, outputs={"resourceIdentifier": target})


HANDLERS: dict[str, Handler] = {
    "aws:vpclattice/serviceNetwork:ServiceNetwork": Handler(
        create=_lattice_network, note=NO_LATTICE_DELETE
    ),
    "aws:vpclattice/service:Service": Handler(create=_lattice_service, note=NO_LATTICE_DELETE),
    "aws:vpclattice/targetGroup:TargetGroup": Handler(
        create=_lattice_target_group, note=NO_LATTICE_DELETE
    ),
    "aws:vpclattice/listener:Listener": Handler(create=_lattice_listener, note=NO_LATTICE_DELETE),
    "aws:vpclattice/serviceNetworkServiceAssociation:ServiceNetworkServiceAssociation": Handler(
        create=_lattice_service_association, note=NO_LATTICE_DELETE
    ),
    "aws:vpclattice/serviceNetworkVpcAssociation:ServiceNetworkVpcAssociation": Handler(
        create=_lattice_vpc_association, note=NO_LATTICE_DELETE
    ),
    "aws:vpclattice/authPolicy:AuthPolicy": Handler(
        create=_lattice_auth_policy,
        update=same_again(_lattice_auth_policy),  # PutAuthPolicy replaces the document
        delete=lambda ctx, old: ctx.client("vpc-lattice").delete_auth_policy(
            resourceIdentifier=old.id
        ),
    ),
}
