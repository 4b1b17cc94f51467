"""The network component's types: VPC, subnets, gateways, routes, security groups and
the VPC flow log."""

from __future__ import annotations

from typing import Any

from infra.engines.handlers.base import Applied, Context, Handler, tag_list
from infra.engines.state import ResourceState
from infra.plan.inputs import integer
from infra.plan.model import PlannedResource


def _tags(ctx: Context, resource_id: str, inputs: dict[str, Any]) -> None:
    if inputs.get("tags"):
        ctx.client("ec2").create_tags(Resources=[resource_id], Tags=tag_list(inputs))


def _vpc(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    ec2 = ctx.client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock=inputs["cidrBlock"])["Vpc"]["VpcId"]
    for key, attr in (
        ("enableDnsSupport", "EnableDnsSupport"),
        ("enableDnsHostnames", "EnableDnsHostnames"),
    ):
        if key in inputs:
            ec2.modify_vpc_attribute(VpcId=vpc_id, **{attr: {"Value": bool(inputs[key])}})
    _tags(ctx, vpc_id, inputs)
    arn = f"arn:aws:ec2:{ctx.region}:123456789012:vpc/{vpc_id}"
    return Applied(id=vpc_id, outputs={"arn": arn})


def _default_group(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    """Adopt the VPC's default group and strip every rule, as the provider does."""
    ec2 = ctx.client("ec2")
    group = ec2.describe_security_groups(
        Filters=[
            {"Name": "vpc-id", "Values": [inputs["vpcId"]]},
            {"Name": "group-name", "Values": ["default"]},
        ]
    )["SecurityGroups"][0]
    if group.get("IpPermissions"):
        ec2.revoke_security_group_ingress(
            GroupId=group["GroupId"], IpPermissions=group["IpPermissions"]
        )
    if group.get("IpPermissionsEgress"):
        ec2.revoke_security_group_egress(
            GroupId=group["GroupId"], IpPermissions=group["IpPermissionsEgress"]
        )
    _tags(ctx, group["GroupId"], inputs)
    return Applied(id=group["GroupId"], outputs={"arn": f"security-group/{group['GroupId']}"})


def _flow_log(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    found = ctx.client("ec2").create_flow_logs(
        ResourceIds=[inputs["vpcId"]],
        ResourceType="VPC",
        TrafficType=inputs.get("trafficType", "ALL"),
        LogDestinationType=inputs.get("logDestinationType", "cloud-watch-logs"),
        LogGroupName=str(inputs["logDestination"]).rsplit(":log-group:", 1)[-1].removesuffix(":*"),
        DeliverLogsPermissionArn=inputs["iamRoleArn"],
        MaxAggregationInterval=int(inputs.get("maxAggregationInterval", 600)),
    )
    if found.get("Unsuccessful"):
        raise RuntimeError(str(found["Unsuccessful"][0].get("Error", {}).get("Message")))
    return Applied(id=found["FlowLogIds"][0], outputs={})


def _log_group(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    logs = ctx.client("logs")
    name = str(inputs.get("name") or ctx.physical_name(res, 512))
    logs.create_log_group(logGroupName=name, tags=inputs.get("tags") or {})
    if inputs.get("retentionInDays"):
        logs.put_retention_policy(logGroupName=name, retentionInDays=int(inputs["retentionInDays"]))
    found = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]
    return Applied(id=name, outputs={"arn": str(found["arn"]).removesuffix(":*"), "name": name})


def _subnet(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    subnet = ctx.client("ec2").create_subnet(
        VpcId=inputs["vpcId"],
        CidrBlock=inputs["cidrBlock"],
        AvailabilityZone=inputs["availabilityZone"],
    )["Subnet"]
    _tags(ctx, subnet["SubnetId"], inputs)
    return Applied(id=subnet["SubnetId"], outputs={"arn": subnet.get("SubnetArn", "")})


def _igw(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    ec2 = ctx.client("ec2")
    igw_id = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=inputs["vpcId"])
    _tags(ctx, igw_id, inputs)
    return Applied(id=igw_id)


def _delete_igw(ctx: Context, old: ResourceState) -> None:
    ec2 = ctx.client("ec2")
    ec2.detach_internet_gateway(InternetGatewayId=old.id, VpcId=old.resolved["vpcId"])
    ec2.delete_internet_gateway(InternetGatewayId=old.id)


def _eip(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    found = ctx.client("ec2").allocate_address(Domain=inputs.get("domain", "vpc"))
    _tags(ctx, found["AllocationId"], inputs)
    return Applied(id=found["AllocationId"], outputs={"publicIp": found.get("PublicIp", "")})


def _nat(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    nat = ctx.client("ec2").create_nat_gateway(
        SubnetId=inputs["subnetId"], AllocationId=inputs["allocationId"]
    )["NatGateway"]
    _tags(ctx, nat["NatGatewayId"], inputs)
    return Applied(id=nat["NatGatewayId"])


def _route_table(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    table = ctx.client("ec2").create_route_table(VpcId=inputs["vpcId"])["RouteTable"]
    _tags(ctx, table["RouteTableId"], inputs)
    return Applied(id=table["RouteTableId"])


def _route_target(inputs: dict[str, Any]) -> dict[str, str]:
    if inputs.get("natGatewayId"):
        return {"NatGatewayId": inputs["natGatewayId"]}
    return {"GatewayId": inputs["gatewayId"]}


def _route(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    ctx.client("ec2").create_route(
        RouteTableId=inputs["routeTableId"],
        DestinationCidrBlock=inputs["destinationCidrBlock"],
        **_route_target(inputs),
    )
    return Applied(id=f"r-{inputs['routeTableId']}{inputs['destinationCidrBlock']}")


def _update_route(
    ctx: Context, res: PlannedResource, old: ResourceState, inputs: dict[str, Any]
) -> Applied:
    if inputs["routeTableId"] != old.resolved["routeTableId"]:
        _delete_route(ctx, old)
        return _route(ctx, res, inputs)
    ctx.client("ec2").replace_route(
        RouteTableId=inputs["routeTableId"],
        DestinationCidrBlock=inputs["destinationCidrBlock"],
        **_route_target(inputs),
    )
    return Applied(id=old.id)


def _delete_route(ctx: Context, old: ResourceState) -> None:
    ctx.client("ec2").delete_route(
        RouteTableId=old.resolved["routeTableId"],
        DestinationCidrBlock=old.resolved["destinationCidrBlock"],
    )


def _association(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    found = ctx.client("ec2").associate_route_table(
        RouteTableId=inputs["routeTableId"], SubnetId=inputs["subnetId"]
    )
    return Applied(id=found["AssociationId"])


def _security_group(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    group_name = str(inputs.get("name") or ctx.physical_name(res, 255))
    group_id = ctx.client("ec2").create_security_group(
        GroupName=group_name,
        Description=inputs.get("description", "Managed by gm-infra"),
        VpcId=inputs["vpcId"],
    )["GroupId"]
    _tags(ctx, group_id, inputs)
    arn = f"arn:aws:ec2:{ctx.region}:123456789012:security-group/{group_id}"
    return Applied(id=group_id, outputs={"name": group_name, "arn": arn})


def _permission(inputs: dict[str, Any]) -> dict[str, Any]:
    protocol = str(inputs["ipProtocol"])
    perm: dict[str, Any] = {"IpProtocol": protocol}
    if protocol != "-1":
        perm["FromPort"] = integer(inputs["fromPort"])
        perm["ToPort"] = integer(inputs["toPort"])
    description = inputs.get("description", "")
    if inputs.get("cidrIpv4"):
        perm["IpRanges"] = [{"CidrIp": inputs["cidrIpv4"], "Description": description}]
    elif inputs.get("cidrIpv6"):
        perm["Ipv6Ranges"] = [{"CidrIpv6": inputs["cidrIpv6"], "Description": description}]
    elif inputs.get("prefixListId"):
        perm["PrefixListIds"] = [
            {"PrefixListId": inputs["prefixListId"], "Description": description}
        ]
    else:
        perm["UserIdGroupPairs"] = [
            {"GroupId": inputs["referencedSecurityGroupId"], "Description": description}
        ]
    return perm


def _rule_creator(direction: str) -> Any:
    def create(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
        ec2 = ctx.client("ec2")
        call = (
            ec2.authorize_security_group_ingress
            if direction == "ingress"
            else ec2.authorize_security_group_egress
        )
        found = call(GroupId=inputs["securityGroupId"], IpPermissions=[_permission(inputs)])
        rules = found.get("SecurityGroupRules") or [{}]
        rule_id = str(rules[0].get("SecurityGroupRuleId") or f"sgr-{res.name}")
        return Applied(id=rule_id, outputs={"securityGroupRuleId": rule_id})

    return create


def _rule_deleter(direction: str) -> Any:
    def delete(ctx: Context, old: ResourceState) -> None:
        ec2 = ctx.client("ec2")
        call = (
            ec2.revoke_security_group_ingress
            if direction == "ingress"
            else ec2.revoke_security_group_egress
        )
        call(GroupId=old.resolved["securityGroupId"], IpPermissions=[_permission(old.resolved)])

    return delete


HANDLERS: dict[str, Handler] = {
    # Deleting it gives the group back to the VPC, which cannot delete its default group.
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": Handler(
        create=_default_group, delete=lambda ctx, old: None
    ),
    "aws:ec2/flowLog:FlowLog": Handler(
        create=_flow_log,
        delete=lambda ctx, old: ctx.client("ec2").delete_flow_logs(FlowLogIds=[old.id]),
    ),
    "aws:cloudwatch/logGroup:LogGroup": Handler(
        create=_log_group,
        delete=lambda ctx, old: ctx.client("logs").delete_log_group(logGroupName=old.id),
    ),
    "aws:ec2/vpc:Vpc": Handler(
        create=_vpc, delete=lambda ctx, old: ctx.client("ec2").delete_vpc(VpcId=old.id)
    ),
    "aws:ec2/subnet:Subnet": Handler(
        create=_subnet, delete=lambda ctx, old: ctx.client("ec2").delete_subnet(SubnetId=old.id)
    ),
    "aws:ec2/internetGateway:InternetGateway": Handler(create=_igw, delete=_delete_igw),
    "aws:ec2/eip:Eip": Handler(
        create=_eip,
        delete=lambda ctx, old: ctx.client("ec2").release_address(AllocationId=old.id),
    ),
    "aws:ec2/natGateway:NatGateway": Handler(
        create=_nat,
        delete=lambda ctx, old: ctx.client("ec2").delete_nat_gateway(NatGatewayId=old.id),
    ),
    "aws:ec2/routeTable:RouteTable": Handler(
        create=_route_table,
        delete=lambda ctx, old: ctx.client("ec2").delete_route_table(RouteTableId=old.id),
    ),
    "aws:ec2/route:Route": Handler(create=_route, update=_update_route, delete=_delete_route),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": Handler(
        create=_association,
        delete=lambda ctx, old: ctx.client("ec2").disassociate_route_table(AssociationId=old.id),
    ),
    "aws:ec2/securityGroup:SecurityGroup": Handler(
        create=_security_group,
        delete=lambda ctx, old: ctx.client("ec2").delete_security_group(GroupId=old.id),
    ),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": Handler(
        create=_rule_creator("ingress"), delete=_rule_deleter("ingress")
    ),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": Handler(
        create=_rule_creator("egress"), delete=_rule_deleter("egress")
    ),
}
