"""Launch templates, auto-scaling groups and their scaling policies."""

from __future__ import annotations

from typing import Any

from infra.engines.handlers.base import (
    Applied,
    Context,
    Handler,
    not_emulated,
    same_again,
    tag_list,
)
from infra.engines.state import ResourceState
from infra.plan.inputs import as_bool, integer
from infra.plan.model import PlannedResource

NO_REFRESH = (
    "instance refresh is not emulated (moto): running instances keep the previous "
    "launch template version; AWS rolls them"
)


def _template_data(inputs: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "ImageId": inputs["imageId"],
        "InstanceType": inputs["instanceType"],
        "SecurityGroupIds": inputs.get("vpcSecurityGroupIds", []),
        "UserData": inputs.get("userData", ""),
        "Monitoring": {"Enabled": as_bool(inputs.get("monitoring", {}).get("enabled", True))},
        "EbsOptimized": as_bool(inputs.get("ebsOptimized", True)),
    }
    if inputs.get("iamInstanceProfile"):
        data["IamInstanceProfile"] = {"Name": inputs["iamInstanceProfile"]["name"]}
    meta = inputs.get("metadataOptions")
    if meta:
        data["MetadataOptions"] = {
            "HttpEndpoint": meta.get("httpEndpoint", "enabled"),
            "HttpTokens": meta.get("httpTokens", "required"),
            "HttpPutResponseHopLimit": integer(meta.get("httpPutResponseHopLimit", 1)),
            "InstanceMetadataTags": meta.get("instanceMetadataTags", "disabled"),
        }
    data["BlockDeviceMappings"] = [
        {
            "DeviceName": b["deviceName"],
            "Ebs": {
                "VolumeSize": integer(b["ebs"]["volumeSize"]),
                "VolumeType": b["ebs"].get("volumeType", "gp3"),
                "Encrypted": as_bool(b["ebs"].get("encrypted", True)),
                "DeleteOnTermination": as_bool(b["ebs"].get("deleteOnTermination", True)),
            },
        }
        for b in inputs.get("blockDeviceMappings", [])
    ]
    data["TagSpecifications"] = [
        {"ResourceType": spec["resourceType"], "Tags": tag_list(spec)}
        for spec in inputs.get("tagSpecifications", [])
    ]
    return data


def _launch_template(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    name = str(inputs.get("name") or ctx.physical_name(res, 128))
    found = ctx.client("ec2").create_launch_template(
        LaunchTemplateName=name,
        LaunchTemplateData=_template_data(inputs),
        VersionDescription=inputs.get("description", ""),
    )["LaunchTemplate"]
    version = int(found.get("LatestVersionNumber", 1))
    template_id = found["LaunchTemplateId"]
    return Applied(
        id=found["LaunchTemplateId"],
        outputs={
            "name": name,
            "latestVersion": version,
            "defaultVersion": version,
            "arn": f"arn:aws:ec2:{ctx.region}:123456789012:launch-template/{template_id}",
        },
    )


def _update_launch_template(
    ctx: Context, res: PlannedResource, old: ResourceState, inputs: dict[str, Any]
) -> Applied:
    ec2 = ctx.client("ec2")
    version = ec2.create_launch_template_version(
        LaunchTemplateId=old.id, LaunchTemplateData=_template_data(inputs)
    )["LaunchTemplateVersion"]["VersionNumber"]
    ec2.modify_launch_template(LaunchTemplateId=old.id, DefaultVersion=str(version))
    return Applied(
        id=old.id,
        outputs={**old.outputs, "latestVersion": int(version), "defaultVersion": int(version)},
        note=NO_REFRESH,
    )


def _latest_version(ctx: Context, template_id: str) -> str:
    found = ctx.client("ec2").describe_launch_templates(LaunchTemplateIds=[template_id])
    return str(found["LaunchTemplates"][0]["LatestVersionNumber"])


def _template_spec(ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
    if inputs.get("launchTemplate"):
        template_id = inputs["launchTemplate"]["id"]
        return {
            "LaunchTemplate": {
                "LaunchTemplateId": template_id,
                "Version": _latest_version(ctx, template_id),
            }
        }
    mixed = inputs["mixedInstancesPolicy"]
    spec = mixed["launchTemplate"]["launchTemplateSpecification"]
    dist = mixed.get("instancesDistribution", {})
    return {
        "MixedInstancesPolicy": {
            "LaunchTemplate": {
                "LaunchTemplateSpecification": {
                    "LaunchTemplateId": spec["launchTemplateId"],
                    "Version": _latest_version(ctx, spec["launchTemplateId"]),
                },
                "Overrides": [
                    {"InstanceType": o["instanceType"]}
                    for o in mixed["launchTemplate"].get("overrides", [])
                ],
            },
            "InstancesDistribution": {
                "OnDemandBaseCapacity": integer(dist.get("onDemandBaseCapacity", 0)),
                "OnDemandPercentageAboveBaseCapacity": integer(
                    dist.get("onDemandPercentageAboveBaseCapacity", 100)
                ),
                "SpotAllocationStrategy": dist.get(
                    "spotAllocationStrategy", "price-capacity-optimized"
                ),
                **({"SpotMaxPrice": dist["spotMaxPrice"]} if dist.get("spotMaxPrice") else {}),
            },
        }
    }


def _sizes(inputs: dict[str, Any]) -> dict[str, Any]:
    return {
        "MinSize": integer(inputs["minSize"]),
        "MaxSize": integer(inputs["maxSize"]),
        "DesiredCapacity": integer(inputs.get("desiredCapacity", inputs["minSize"])),
        "VPCZoneIdentifier": ",".join(inputs.get("vpcZoneIdentifiers", [])),
    }


def _group(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    name = str(inputs.get("name") or ctx.physical_name(res, 255))
    autoscaling = ctx.client("autoscaling")
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName=name,
        TargetGroupARNs=inputs.get("targetGroupArns", []),
        HealthCheckType=inputs.get("healthCheckType", "EC2"),
        HealthCheckGracePeriod=integer(inputs.get("healthCheckGracePeriod", 300)),
        TerminationPolicies=inputs.get("terminationPolicies", ["Default"]),
        CapacityRebalance=bool(inputs.get("capacityRebalance", False)),
        Tags=[
            {
                "Key": t["key"],
                "Value": t["value"],
                "PropagateAtLaunch": bool(t.get("propagateAtLaunch", True)),
                "ResourceId": name,
                "ResourceType": "auto-scaling-group",
            }
            for t in inputs.get("tags", [])
        ],
        **_template_spec(ctx, inputs),
        **_sizes(inputs),
    )
    if inputs.get("enabledMetrics"):
        autoscaling.enable_metrics_collection(
            AutoScalingGroupName=name, Metrics=inputs["enabledMetrics"], Granularity="1Minute"
        )
    arn = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[name])[
        "AutoScalingGroups"
    ][0].get("AutoScalingGroupARN", "")
    note = NO_REFRESH if inputs.get("instanceRefresh") else None
    return Applied(id=name, outputs={"name": name, "arn": arn}, note=note)


def _update_group(
    ctx: Context, res: PlannedResource, old: ResourceState, inputs: dict[str, Any]
) -> Applied:
    """Sizes, subnets and template in place; target groups attached and detached."""
    autoscaling = ctx.client("autoscaling")
    autoscaling.update_auto_scaling_group(
        AutoScalingGroupName=old.id, **_template_spec(ctx, inputs), **_sizes(inputs)
    )
    before = set(old.resolved.get("targetGroupArns", []))
    after = set(inputs.get("targetGroupArns", []))
    if after - before:
        autoscaling.attach_load_balancer_target_groups(
            AutoScalingGroupName=old.id, TargetGroupARNs=sorted(after - before)
        )
    if before - after:
        autoscaling.detach_load_balancer_target_groups(
            AutoScalingGroupName=old.id, TargetGroupARNs=sorted(before - after)
        )
    return Applied(id=old.id, outputs=old.outputs, note=old.note)


def _policy(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    """Target tracking, or simple scaling (a fixed adjustment and a cooldown)."""
    name = str(inputs.get("name") or ctx.physical_name(res, 255))
    kind = inputs.get("policyType", "SimpleScaling")  # AWS's default, as the provider's
    args: dict[str, Any] = {
        "AutoScalingGroupName": inputs["autoscalingGroupName"],
        "PolicyName": name,
        "PolicyType": kind,
    }
    if kind == "SimpleScaling":
        args["AdjustmentType"] = inputs["adjustmentType"]
        args["ScalingAdjustment"] = integer(inputs["scalingAdjustment"])
        if inputs.get("cooldown") is not None:
            args["Cooldown"] = integer(inputs["cooldown"])
    else:
        tracking = inputs.get("targetTrackingConfiguration", {})
        predefined = tracking.get("predefinedMetricSpecification", {})
        metric: dict[str, Any] = {"PredefinedMetricType": predefined["predefinedMetricType"]}
        if predefined.get("resourceLabel"):
            metric["ResourceLabel"] = predefined["resourceLabel"]
        args["EstimatedInstanceWarmup"] = integer(inputs.get("estimatedInstanceWarmup", 300))
        args["TargetTrackingConfiguration"] = {
            "PredefinedMetricSpecification": metric,
            "TargetValue": float(tracking["targetValue"]),
        }
    found = ctx.client("autoscaling").put_scaling_policy(**args)
    arn = found.get("PolicyARN") or _policy_arn(ctx, args["AutoScalingGroupName"], name)
    return Applied(id=name, outputs={"name": name, "arn": arn})


def _policy_arn(ctx: Context, group: str, name: str) -> str:
    """moto 5.2 answers PutScalingPolicy with ``PolicyArn``, which botocore drops; the
    alarms of simple scaling need the ARN, so it is read back."""
    found = ctx.client("autoscaling").describe_policies(
        AutoScalingGroupName=group, PolicyNames=[name]
    )["ScalingPolicies"]
    return str(found[0].get("PolicyARN", "")) if found else ""


def _delete_policy(ctx: Context, old: ResourceState) -> None:
    ctx.client("autoscaling").delete_policy(
        AutoScalingGroupName=old.resolved["autoscalingGroupName"], PolicyName=old.id
    )


def _lifecycle_hook(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    name = str(inputs.get("name") or ctx.physical_name(res, 255))
    ctx.client("autoscaling").put_lifecycle_hook(
        LifecycleHookName=name,
        AutoScalingGroupName=inputs["autoscalingGroupName"],
        LifecycleTransition=inputs["lifecycleTransition"],
        HeartbeatTimeout=integer(inputs.get("heartbeatTimeout", 3600)),
        DefaultResult=inputs.get("defaultResult", "ABANDON"),
    )
    return Applied(id=name, outputs={"name": name})


def _delete_lifecycle_hook(ctx: Context, old: ResourceState) -> None:
    ctx.client("autoscaling").delete_lifecycle_hook(
        LifecycleHookName=old.id, AutoScalingGroupName=old.resolved["autoscalingGroupName"]
    )


HANDLERS: dict[str, Handler] = {
    "aws:ec2/launchTemplate:LaunchTemplate": Handler(
        create=_launch_template,
        update=_update_launch_template,
        delete=lambda ctx, old: ctx.client("ec2").delete_launch_template(LaunchTemplateId=old.id),
    ),
    "aws:autoscaling/group:Group": Handler(
        create=_group,
        update=_update_group,
        delete=lambda ctx, old: ctx.client("autoscaling").delete_auto_scaling_group(
            AutoScalingGroupName=old.id, ForceDelete=True
        ),
    ),
    "aws:autoscaling/policy:Policy": Handler(
        create=_policy, update=same_again(_policy), delete=_delete_policy
    ),
    "aws:autoscaling/lifecycleHook:LifecycleHook": Handler(
        create=_lifecycle_hook, update=same_again(_lifecycle_hook), delete=_delete_lifecycle_hook
    ),
    "aws:autoscaling/trafficSourceAttachment:TrafficSourceAttachment": not_emulated(
        "moto has no AttachTrafficSources: the service ASG is not registered with its "
        "VPC Lattice target group in the emulator"
    ),
}
