"""Plans for people: a summary table and markdown, built from a Plan only."""

from __future__ import annotations

from collections import Counter
from typing import Any

from infra.plan.model import Plan, PlannedResource
from infra.settings import phase_profiles

# Per type, the inputs that say the most about a resource (wire names).
KEY_INPUTS: dict[str, list[str]] = {
    "aws:ec2/vpc:Vpc": ["cidrBlock"],
    "aws:ec2/subnet:Subnet": ["cidrBlock", "availabilityZone"],
    "aws:ec2/natGateway:NatGateway": [],
    "aws:lb/loadBalancer:LoadBalancer": ["dropInvalidHeaderFields", "enableDeletionProtection"],
    "aws:lb/targetGroup:TargetGroup": ["port", "healthCheck.path", "stickiness.enabled"],
    "aws:lb/listener:Listener": ["port", "protocol", "sslPolicy"],
    "aws:lb/listenerRule:ListenerRule": ["priority", "conditions.0.pathPattern.values"],
    "aws:ec2/launchTemplate:LaunchTemplate": ["instanceType", "metadataOptions.httpTokens"],
    "aws:autoscaling/group:Group": ["minSize", "desiredCapacity", "maxSize", "healthCheckType"],
    "aws:rds/instance:Instance": [
        "identifier",
        "instanceClass",
        "multiAz",
        "replicateSourceDb",
        "storageEncrypted",
    ],
    "aws:rds/proxy:Proxy": ["name", "requireTls"],
    "aws:elasticache/replicationGroup:ReplicationGroup": [
        "nodeType",
        "numCacheClusters",
        "automaticFailoverEnabled",
        "transitEncryptionEnabled",
    ],
    "aws:cloudfront/distribution:Distribution": ["priceClass"],
    "aws:cloudwatch/metricAlarm:MetricAlarm": ["metricName", "threshold"],
    "aws:vpclattice/service:Service": ["name"],
}


def lookup(inputs: dict[str, Any], dotted: str) -> Any:
    """``a.b.0.c`` into nested dicts and lists; None when absent."""
    value: Any = inputs
    for part in dotted.split("."):
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def key_settings(resource: PlannedResource) -> str:
    """``key=value`` pairs of the type's notable inputs."""
    pairs = []
    for key in KEY_INPUTS.get(resource.type, []):
        value = lookup(resource.inputs, key)
        if value is not None:
            shown = ",".join(map(str, value)) if isinstance(value, list) else value
            pairs.append(f"{key.split('.')[-1] if key.count('.') > 1 else key}={shown}")
    return " ".join(pairs)


def type_counts(plan: Plan) -> list[tuple[str, int]]:
    counts = Counter(r.type for r in plan.custom_resources())
    return sorted(counts.items())


def plan_summary(plan: Plan) -> dict[str, Any]:
    """Counts and the phase's sizing, for the headline of every view."""
    profile = phase_profiles()[plan.phase]
    custom = plan.custom_resources()
    return {
        "stack": plan.stack,
        "phase": plan.phase,
        "phaseName": profile["name"],
        "capacity": profile["capacity"],
        "resources": len(custom),
        "components": len(plan.resources) - len(custom),
        "protected": sum(1 for r in custom if r.protect),
    }


def plan_markdown(plan: Plan) -> str:
    """The plan for people: a headline, counts by type and the notable resources."""
    summary = plan_summary(plan)
    capacity = summary["capacity"]
    lines = [
        f"## Plan of stack `{plan.stack}`: phase {plan.phase} ({summary['phaseName']})",
        "",
        f"{summary['resources']} resources ({summary['protected']} protected) in "
        f"{summary['components']} components; sized for {capacity['users']} users, "
        f"{capacity['requestsPerSecond']} requests/s.",
        "",
        "| type | count |",
        "|---|---:|",
    ]
    lines += [f"| `{typ}` | {count} |" for typ, count in type_counts(plan)]
    lines += ["", "| resource | type | settings | protected |", "|---|---|---|---|"]
    for resource in plan.custom_resources():
        if resource.type in KEY_INPUTS:
            lines.append(
                f"| `{resource.name}` | `{resource.type.split(':')[-1]}` | "
                f"{key_settings(resource)} | {'yes' if resource.protect else ''} |"
            )
    if plan.outputs:
        lines += ["", "| output | value |", "|---|---|"]
        lines += [f"| `{k}` | `{v}` |" for k, v in sorted(plan.outputs.items())]
    return "\n".join(lines) + "\n"
