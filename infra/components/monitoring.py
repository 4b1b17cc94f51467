"""Monitoring: CloudWatch alarms and a dashboard for the source document's key metrics."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from infra.components.common import child, tags
from infra.naming import dashboard_name
from infra.settings import Settings

FIVE_MINUTES = 300
GIB = 1024**3


@dataclass(frozen=True)
class AlarmSpec:
    """One alarm: what it watches and when it fires (pure data, easy to test)."""

    key: str
    namespace: str
    metric: str
    dimensions: Mapping[str, pulumi.Input[str]]
    comparison: str
    threshold: float
    statistic: str | None = "Average"
    extended_statistic: str | None = None
    evaluation_periods: int = 3
    description: str = ""


@dataclass
class MonitoredResources:
    """The names CloudWatch knows the platform's resources by."""

    alb_arn_suffix: pulumi.Input[str]
    target_groups: Mapping[str, pulumi.Input[str]]  # service -> target group ARN suffix
    asg_names: Mapping[str, pulumi.Input[str]]  # role -> ASG name
    # label (stable across stacks, used in resource names) -> physical identifier
    db_connection_threshold: int
    db_writers: Mapping[str, str]
    db_readers: Mapping[str, str]
    cache_members: Mapping[str, str]


def alarm_specs(res: MonitoredResources) -> list[AlarmSpec]:
    """The alarms for ALB 5xx and latency, ASG CPU, RDS and Redis health."""
    alb = {"LoadBalancer": res.alb_arn_suffix}
    specs = [
        AlarmSpec(
            "alb-5xx",
            "AWS/ApplicationELB",
            "HTTPCode_ELB_5XX_Count",
            alb,
            "GreaterThanThreshold",
            10,
            statistic="Sum",
            description="The ALB itself answers 5xx (no healthy target, overload)",
        ),
        AlarmSpec(
            "alb-target-5xx",
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            alb,
            "GreaterThanThreshold",
            50,
            statistic="Sum",
            description="The app answers 5xx",
        ),
        AlarmSpec(
            "alb-latency-p95",
            "AWS/ApplicationELB",
            "TargetResponseTime",
            alb,
            "GreaterThanThreshold",
            1.0,
            statistic=None,
            extended_statistic="p95",
            description="p95 response time above 1 s",
        ),
    ]
    for service, suffix in sorted(res.target_groups.items()):
        specs.append(
            AlarmSpec(
                f"{service}-unhealthy-hosts",
                "AWS/ApplicationELB",
                "UnHealthyHostCount",
                {"LoadBalancer": res.alb_arn_suffix, "TargetGroup": suffix},
                "GreaterThanThreshold",
                0,
                statistic="Maximum",
                description=f"{service} has unhealthy targets",
            )
        )
    for role, asg in sorted(res.asg_names.items()):
        specs.append(
            AlarmSpec(
                f"{role}-cpu",
                "AWS/EC2",
                "CPUUtilization",
                {"AutoScalingGroupName": asg},
                "GreaterThanThreshold",
                80,
                description=f"{role} fleet CPU above 80%",
            )
        )
    for label, db in [*res.db_writers.items(), *res.db_readers.items()]:
        dims = {"DBInstanceIdentifier": db}
        specs += [
            AlarmSpec(
                f"{label}-cpu",
                "AWS/RDS",
                "CPUUtilization",
                dims,
                "GreaterThanThreshold",
                80,
                description=f"{db} CPU above 80%",
            ),
            AlarmSpec(
                f"{label}-connections",
                "AWS/RDS",
                "DatabaseConnections",
                dims,
                "GreaterThanThreshold",
                res.db_connection_threshold,
                description=f"{db} connections near the pool ceiling",
            ),
            AlarmSpec(
                f"{label}-free-storage",
                "AWS/RDS",
                "FreeStorageSpace",
                dims,
                "LessThanThreshold",
                10 * GIB,
                description=f"{db} under 10 GiB free",
            ),
        ]
    for label, db in res.db_readers.items():
        specs.append(
            AlarmSpec(
                f"{label}-replica-lag",
                "AWS/RDS",
                "ReplicaLag",
                {"DBInstanceIdentifier": db},
                "GreaterThanThreshold",
                30,
                statistic="Maximum",
                description=f"{db} more than 30 s behind its writer",
            )
        )
    for label, member in res.cache_members.items():
        dims = {"CacheClusterId": member}
        specs += [
            AlarmSpec(
                f"{label}-cpu",
                "AWS/ElastiCache",
                "EngineCPUUtilization",
                dims,
                "GreaterThanThreshold",
                80,
                description=f"{member} Redis CPU above 80%",
            ),
            AlarmSpec(
                f"{label}-memory",
                "AWS/ElastiCache",
                "DatabaseMemoryUsagePercentage",
                dims,
                "GreaterThanThreshold",
                80,
                description=f"{member} Redis memory above 80%",
            ),
            AlarmSpec(
                f"{label}-evictions",
                "AWS/ElastiCache",
                "Evictions",
                dims,
                "GreaterThanThreshold",
                100,
                statistic="Sum",
                description=f"{member} evicts keys",
            ),
        ]
    return specs


def dashboard_body(region: str, specs: list[dict[str, Any]]) -> str:
    """One metric widget per alarm, in alarm order (``specs`` hold resolved dimensions)."""
    widgets = []
    for index, spec in enumerate(specs):
        metric: list[Any] = [spec["namespace"], spec["metric"]]
        for key, value in spec["dimensions"].items():
            metric += [key, value]
        widgets.append(
            {
                "type": "metric",
                "x": (index % 3) * 8,
                "y": (index // 3) * 6,
                "width": 8,
                "height": 6,
                "properties": {
                    "title": spec["key"],
                    "region": region,
                    "metrics": [metric],
                    "stat": spec["stat"],
                    "period": FIVE_MINUTES,
                },
            }
        )
    return json.dumps({"widgets": widgets}, sort_keys=True)


def alarm_key_policy(account: str) -> str:
    """The account administers the key; CloudWatch alarms may encrypt to the topic."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AccountAdministers",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                },
                {
                    "Sid": "CloudWatchAlarmsPublish",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudwatch.amazonaws.com"},
                    "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                    "Resource": "*",
                },
            ],
        },
        sort_keys=True,
    )


@dataclass(frozen=True)
class MonitoringArgs:
    settings: Settings
    resources: MonitoredResources


class Monitoring(pulumi.ComponentResource):
    """An encrypted SNS topic, the alarms that notify it, and one dashboard."""

    def __init__(self, name: str, args: MonitoringArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("green-matchers:monitoring:Monitoring", name, None, opts)
        settings = args.settings
        account = aws.get_caller_identity().account_id
        # CloudWatch cannot publish to a topic under the AWS-managed alias/aws/sns key (its
        # policy cannot grant cloudwatch.amazonaws.com), so the topic gets a key of its own.
        key = aws.kms.Key(
            f"{name}-alarms-key",
            description="Encrypts the Green Matchers alarm topic; CloudWatch may use it",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=alarm_key_policy(account),
            tags=tags(settings, f"{name}-alarms-key"),
            opts=child(self),
        )
        topic = aws.sns.Topic(
            f"{name}-alarms",
            kms_master_key_id=key.arn,
            tags=tags(settings, f"{name}-alarms"),
            opts=child(self),
        )
        if settings.config.alarm_email:
            aws.sns.TopicSubscription(
                f"{name}-alarms-email",
                topic=topic.arn,
                protocol="email",
                endpoint=settings.config.alarm_email,
                opts=child(self),
            )
        specs = alarm_specs(args.resources)
        for spec in specs:
            aws.cloudwatch.MetricAlarm(
                f"{name}-{spec.key}",
                alarm_description=spec.description,
                namespace=spec.namespace,
                metric_name=spec.metric,
                dimensions=spec.dimensions,
                comparison_operator=spec.comparison,
                threshold=spec.threshold,
                statistic=spec.statistic,
                extended_statistic=spec.extended_statistic,
                period=FIVE_MINUTES,
                evaluation_periods=spec.evaluation_periods,
                treat_missing_data="notBreaching",
                alarm_actions=[topic.arn],
                ok_actions=[topic.arn],
                tags=tags(settings, f"{name}-{spec.key}"),
                opts=child(self),
            )
        resolved = pulumi.Output.all(
            *[
                pulumi.Output.all(
                    **{k: pulumi.Output.from_input(v) for k, v in s.dimensions.items()}
                )
                for s in specs
            ]
        )
        self.dashboard = aws.cloudwatch.Dashboard(
            f"{name}-dashboard",
            dashboard_name=dashboard_name(f"green-matchers-{settings.stack}"),
            dashboard_body=resolved.apply(
                lambda dims: dashboard_body(
                    settings.region,
                    [
                        {
                            "key": s.key,
                            "namespace": s.namespace,
                            "metric": s.metric,
                            "dimensions": d,
                            "stat": s.extended_statistic or s.statistic,
                        }
                        for s, d in zip(specs, dims, strict=True)
                    ],
                )
            ),
            opts=child(self),
        )
        self.register_outputs({"alarmTopicArn": topic.arn})
