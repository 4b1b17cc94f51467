"""The ALB, its target groups, listeners and routing rules."""

from __future__ import annotations

from typing import Any

from infra.engines.handlers.base import Applied, Context, Handler, NeedsReplacement, tag_list
from infra.engines.state import ResourceState
from infra.plan.inputs import integer
from infra.plan.model import PlannedResource


def _load_balancer(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    elbv2 = ctx.client("elbv2")
    name = str(inputs.get("name") or ctx.physical_name(res, 32))
    lb = elbv2.create_load_balancer(
        Name=name,
        Subnets=inputs["subnets"],
        SecurityGroups=inputs.get("securityGroups", []),
        Scheme="internal" if inputs.get("internal") else "internet-facing",
        Type=inputs.get("loadBalancerType", "application"),
        IpAddressType=inputs.get("ipAddressType", "ipv4"),
        Tags=tag_list(inputs),
    )["LoadBalancers"][0]
    elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=lb["LoadBalancerArn"],
        Attributes=[
            {
                "Key": "idle_timeout.timeout_seconds",
                "Value": str(integer(inputs.get("idleTimeout", 60))),
            },
            {
                "Key": "deletion_protection.enabled",
                "Value": str(bool(inputs.get("enableDeletionProtection", False))).lower(),
            },
            {
                "Key": "routing.http.drop_invalid_header_fields.enabled",
                "Value": str(bool(inputs.get("dropInvalidHeaderFields", False))).lower(),
            },
        ],
    )
    arn = lb["LoadBalancerArn"]
    return Applied(
        id=arn,
        outputs={
            "arn": arn,
            "arnSuffix": arn.split(":loadbalancer/", 1)[-1],
            "name": name,
            "dnsName": lb.get("DNSName", ""),
            "zoneId": lb.get("CanonicalHostedZoneId", ""),
        },
    )


def _update_load_balancer(
    ctx: Context, res: PlannedResource, old: ResourceState, inputs: dict[str, Any]
) -> Applied:
    elbv2 = ctx.client("elbv2")
    elbv2.set_subnets(LoadBalancerArn=old.id, Subnets=inputs["subnets"])
    elbv2.set_security_groups(
        LoadBalancerArn=old.id, SecurityGroups=inputs.get("securityGroups", [])
    )
    return Applied(id=old.id, outputs=old.outputs)


def _delete_load_balancer(ctx: Context, old: ResourceState) -> None:
    elbv2 = ctx.client("elbv2")
    elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=old.id,
        Attributes=[{"Key": "deletion_protection.enabled", "Value": "false"}],
    )
    elbv2.delete_load_balancer(LoadBalancerArn=old.id)


def _health_check(inputs: dict[str, Any]) -> dict[str, Any]:
    check = inputs.get("healthCheck") or {}
    return {
        "HealthCheckEnabled": bool(check.get("enabled", True)),
        "HealthCheckPath": check.get("path", "/"),
        "HealthCheckProtocol": check.get("protocol", "HTTP"),
        "HealthCheckIntervalSeconds": integer(check.get("interval", 30)),
        "HealthCheckTimeoutSeconds": integer(check.get("timeout", 5)),
        "HealthyThresholdCount": integer(check.get("healthyThreshold", 3)),
        "UnhealthyThresholdCount": integer(check.get("unhealthyThreshold", 2)),
        "Matcher": {"HttpCode": str(check.get("matcher", "200"))},
    }


def _target_group_attributes(ctx: Context, arn: str, inputs: dict[str, Any]) -> None:
    sticky = inputs.get("stickiness") or {}
    attributes = [
        {
            "Key": "deregistration_delay.timeout_seconds",
            "Value": str(integer(inputs.get("deregistrationDelay", 300))),
        },
        {"Key": "stickiness.enabled", "Value": str(bool(sticky.get("enabled", False))).lower()},
    ]
    if sticky:
        attributes += [
            {"Key": "stickiness.type", "Value": sticky.get("type", "lb_cookie")},
            {
                "Key": "stickiness.lb_cookie.duration_seconds",
                "Value": str(integer(sticky.get("cookieDuration", 86400))),
            },
        ]
    if inputs.get("loadBalancingAlgorithmType"):
        attributes.append(
            {"Key": "load_balancing.algorithm.type", "Value": inputs["loadBalancingAlgorithmType"]}
        )
    ctx.client("elbv2").modify_target_group_attributes(TargetGroupArn=arn, Attributes=attributes)


def _target_group(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    name = str(inputs.get("name") or ctx.physical_name(res, 32))
    group = ctx.client("elbv2").create_target_group(
        Name=name,
        Protocol=inputs.get("protocol", "HTTP"),
        Port=integer(inputs["port"]),
        VpcId=inputs["vpcId"],
        TargetType=inputs.get("targetType", "instance"),
        Tags=tag_list(inputs),
        **_health_check(inputs),
    )["TargetGroups"][0]
    arn = group["TargetGroupArn"]
    _target_group_attributes(ctx, arn, inputs)
    return Applied(id=arn, outputs={"arn": arn, "name": name, "arnSuffix": arn.split(":", 5)[-1]})


def _update_target_group(
    ctx: Context, res: PlannedResource, old: ResourceState, inputs: dict[str, Any]
) -> Applied:
    if inputs.get("vpcId") != old.resolved.get("vpcId") or inputs["port"] != old.resolved["port"]:
        raise NeedsReplacement
    ctx.client("elbv2").modify_target_group(TargetGroupArn=old.id, **_health_check(inputs))
    _target_group_attributes(ctx, old.id, inputs)
    return Applied(id=old.id, outputs=old.outputs)


def _actions(inputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    actions: list[dict[str, Any]] = []
    for action in inputs:
        if action["type"] == "forward":
            actions.append({"Type": "forward", "TargetGroupArn": action["targetGroupArn"]})
        elif action["type"] == "redirect":
            redirect = action["redirect"]
            actions.append(
                {
                    "Type": "redirect",
                    "RedirectConfig": {
                        "Protocol": redirect.get("protocol", "HTTPS"),
                        "Port": str(redirect.get("port", "443")),
                        "StatusCode": redirect.get("statusCode", "HTTP_301"),
                    },
                }
            )
        else:
            fixed = action.get("fixedResponse", {})
            actions.append(
                {
                    "Type": "fixed-response",
                    "FixedResponseConfig": {
                        "StatusCode": str(fixed.get("statusCode", "404")),
                        "ContentType": fixed.get("contentType", "text/plain"),
                    },
                }
            )
    return actions


def _listener(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    extra: dict[str, Any] = {}
    if inputs.get("certificateArn"):
        extra = {
            "Certificates": [{"CertificateArn": inputs["certificateArn"]}],
            "SslPolicy": inputs.get("sslPolicy", "ELBSecurityPolicy-TLS13-1-2-2021-06"),
        }
    listener = ctx.client("elbv2").create_listener(
        LoadBalancerArn=inputs["loadBalancerArn"],
        Protocol=inputs.get("protocol", "HTTP"),
        Port=integer(inputs["port"]),
        DefaultActions=_actions(inputs["defaultActions"]),
        **extra,
    )["Listeners"][0]
    return Applied(id=listener["ListenerArn"], outputs={"arn": listener["ListenerArn"]})


def _update_listener(
    ctx: Context, res: PlannedResource, old: ResourceState, inputs: dict[str, Any]
) -> Applied:
    ctx.client("elbv2").modify_listener(
        ListenerArn=old.id,
        Port=integer(inputs["port"]),
        Protocol=inputs.get("protocol", "HTTP"),
        DefaultActions=_actions(inputs["defaultActions"]),
    )
    return Applied(id=old.id, outputs=old.outputs)


def _conditions(inputs: dict[str, Any]) -> list[dict[str, Any]]:
    conditions: list[dict[str, Any]] = []
    for condition in inputs.get("conditions", []):
        if "pathPattern" in condition:
            conditions.append(
                {
                    "Field": "path-pattern",
                    "PathPatternConfig": {"Values": condition["pathPattern"]["values"]},
                }
            )
        elif "hostHeader" in condition:
            conditions.append(
                {
                    "Field": "host-header",
                    "HostHeaderConfig": {"Values": condition["hostHeader"]["values"]},
                }
            )
    return conditions


def _rule(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    rule = ctx.client("elbv2").create_rule(
        ListenerArn=inputs["listenerArn"],
        Priority=integer(inputs["priority"]),
        Conditions=_conditions(inputs),
        Actions=_actions(inputs["actions"]),
    )["Rules"][0]
    return Applied(id=rule["RuleArn"], outputs={"arn": rule["RuleArn"]})


def _update_rule(
    ctx: Context, res: PlannedResource, old: ResourceState, inputs: dict[str, Any]
) -> Applied:
    if inputs["listenerArn"] != old.resolved["listenerArn"]:
        raise NeedsReplacement
    elbv2 = ctx.client("elbv2")
    elbv2.modify_rule(
        RuleArn=old.id, Conditions=_conditions(inputs), Actions=_actions(inputs["actions"])
    )
    if inputs["priority"] != old.resolved["priority"]:
        elbv2.set_rule_priorities(
            RulePriorities=[{"RuleArn": old.id, "Priority": integer(inputs["priority"])}]
        )
    return Applied(id=old.id, outputs=old.outputs)


HANDLERS: dict[str, Handler] = {
    "aws:lb/loadBalancer:LoadBalancer": Handler(
        create=_load_balancer, update=_update_load_balancer, delete=_delete_load_balancer
    ),
    "aws:lb/targetGroup:TargetGroup": Handler(
        create=_target_group,
        update=_update_target_group,
        delete=lambda ctx, old: ctx.client("elbv2").delete_target_group(TargetGroupArn=old.id),
    ),
    "aws:lb/listener:Listener": Handler(
        create=_listener,
        update=_update_listener,
        delete=lambda ctx, old: ctx.client("elbv2").delete_listener(ListenerArn=old.id),
    ),
    "aws:lb/listenerRule:ListenerRule": Handler(
        create=_rule,
        update=_update_rule,
        delete=lambda ctx, old: ctx.client("elbv2").delete_rule(RuleArn=old.id),
    ),
}
