"""Monitoring: CloudWatch alarms and a dashboard for the source document's key metrics."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from infra.components.common import child, tags
from infra.naming import dashboard_name
from infra.observability.dashboard import DashboardFleet, dashboard_body
from infra.observability.seed_items import APP_NAMESPACE, FleetKind, cache_node_id
from infra.settings import StackTags

FIVE_MINUTES = 300
GIB = 1024**3
# Thresholds where the issue left them open: the seed names the metrics, not the limits.
P99_LATENCY_MS = 2000.0  # p99 over 2 s for 15 minutes (the p95 ALB alarm fires at 1 s)
ERROR_RATE_PERCENT = 1.0
MEMORY_PERCENT = 90.0
POOL_SATURATION_PERCENT = 80.0
CACHE_HIT_RATE_PERCENT = 80.0  # the query cache normally answers most reads
# The outbox (deferred embeddings): its oldest row normally goes within seconds; 10 minutes
# means the worker or the AI service has been failing that long (acknowledged jobs that
# /api/match cannot find yet).
OUTBOX_AGE_SECONDS = 600.0


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
    # Metric math: 100 * <metric> / <ratio_of> (both Sums over the period), e.g. a 5xx rate.
    ratio_of: str | None = None


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
    # The app's own metrics (namespace GreenMatchers): dimensions Stack, Service, Phase.
    stack: str = ""
    phase: int = 1
    services: Sequence[str] = ("api",)
    cache_groups: Mapping[str, str] = field(default_factory=dict)  # label -> group id
    query_cache_groups: Sequence[str] = ()  # labels whose hit rate means caching works


def app_dimensions(res: MonitoredResources, service: str) -> dict[str, pulumi.Input[str]]:
    return {"Stack": res.stack, "Service": service, "Phase": str(res.phase)}


def app_alarm_specs(res: MonitoredResources) -> list[AlarmSpec]:
    """Per app service: p99 latency, 5xx rate, memory and pool saturation (its own metrics)."""
    specs: list[AlarmSpec] = []
    for service in res.services:
        dims = app_dimensions(res, service)
        specs += [
            AlarmSpec(
                f"app-{service}-p99-latency",
                APP_NAMESPACE,
                "Latency",
                dims,
                "GreaterThanThreshold",
                P99_LATENCY_MS,
                statistic=None,
                extended_statistic="p99",
                description=f"{service}: p99 response time above {P99_LATENCY_MS:.0f} ms",
            ),
            AlarmSpec(
                f"app-{service}-5xx-rate",
                APP_NAMESPACE,
                "Errors5xx",
                dims,
                "GreaterThanThreshold",
                ERROR_RATE_PERCENT,
                statistic="Sum",
                ratio_of="RequestCount",
                description=f"{service}: over {ERROR_RATE_PERCENT:.0f}% of requests end in 5xx",
            ),
            AlarmSpec(
                f"app-{service}-memory",
                APP_NAMESPACE,
                "InstanceMemoryUtilization",
                dims,
                "GreaterThanThreshold",
                MEMORY_PERCENT,
                statistic="Maximum",
                description=f"{service}: an instance uses more than {MEMORY_PERCENT:.0f}% memory",
            ),
            AlarmSpec(
                f"app-{service}-pool-saturation",
                APP_NAMESPACE,
                "DbPoolSaturation",
                dims,
                "GreaterThanThreshold",
                POOL_SATURATION_PERCENT,
                statistic="Maximum",
                description=(
                    f"{service}: a database connection pool is over "
                    f"{POOL_SATURATION_PERCENT:.0f}% of pool_size + max_overflow"
                ),
            ),
        ]
    return specs


def outbox_age_alarm(res: MonitoredResources) -> AlarmSpec:
    """The age of the oldest outbox row, stack-wide (the app publishes OutboxOldestAge with
    the Stack dimension only: every instance that posts jobs sees the same outbox)."""
    return AlarmSpec(
        "app-outbox-age",
        APP_NAMESPACE,
        "OutboxOldestAge",
        {"Stack": res.stack},
        "GreaterThanThreshold",
        OUTBOX_AGE_SECONDS,
        statistic="Maximum",
        evaluation_periods=2,
        description=(
            f"deferred work (embedding posted jobs) older than {OUTBOX_AGE_SECONDS:.0f} s: "
            "the worker or the AI service is failing"
        ),
    )


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
    for label in res.query_cache_groups:
        specs.append(
            AlarmSpec(
                f"{label}-hit-rate",
                "AWS/ElastiCache",
                "CacheHitRate",
                {"CacheClusterId": cache_node_id(res.cache_groups[label])},
                "LessThanThreshold",
                CACHE_HIT_RATE_PERCENT,
                description=f"{label}: cache hit rate under {CACHE_HIT_RATE_PERCENT:.0f}%",
            )
        )
    specs += app_alarm_specs(res)
    specs.append(outbox_age_alarm(res))
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


def alarm_metric(spec: AlarmSpec) -> dict[str, Any]:
    """The MetricAlarm arguments that say what is measured: one metric, or metric math."""
    if spec.ratio_of is None:
        return {
            "namespace": spec.namespace,
            "metric_name": spec.metric,
            "dimensions": spec.dimensions,
            "statistic": spec.statistic,
            "extended_statistic": spec.extended_statistic,
            "period": FIVE_MINUTES,
        }

    def query(ident: str, metric: str) -> dict[str, Any]:
        return {
            "id": ident,
            "return_data": False,
            "metric": {
                "namespace": spec.namespace,
                "metric_name": metric,
                "dimensions": spec.dimensions,
                "period": FIVE_MINUTES,
                "stat": "Sum",
            },
        }

    return {
        "metric_queries": [
            {
                "id": "rate",
                "expression": "IF(total > 0, 100 * part / total, 0)",
                "label": f"{spec.metric} per {spec.ratio_of} (%)",
                "return_data": True,
            },
            query("part", spec.metric),
            query("total", spec.ratio_of),
        ]
    }


@dataclass(frozen=True)
class FleetDims:
    kind: FleetKind
    label: str
    dimensions: Mapping[str, pulumi.Input[str]]


def dashboard_fleets(res: MonitoredResources) -> list[FleetDims]:
    """Every fleet of the stack with the dimensions CloudWatch knows it by."""
    fleets = [FleetDims("service", s, app_dimensions(res, s)) for s in res.services]
    fleets += [
        FleetDims("asg", role, {"AutoScalingGroupName": asg})
        for role, asg in sorted(res.asg_names.items())
    ]
    fleets += [
        FleetDims("database", label, {"DBInstanceIdentifier": db})
        for label, db in res.db_writers.items()
    ]
    fleets += [
        FleetDims("replica", label, {"DBInstanceIdentifier": db})
        for label, db in res.db_readers.items()
    ]
    fleets += [
        FleetDims("cache", label, {"CacheClusterId": cache_node_id(group)})
        for label, group in res.cache_groups.items()
    ]
    fleets += [
        FleetDims(
            "target_group", service, {"TargetGroup": suffix, "LoadBalancer": res.alb_arn_suffix}
        )
        for service, suffix in sorted(res.target_groups.items())
    ]
    return fleets


def alarm_key_policy(account: str, region: str) -> str:
    """The account administers the key; this account's CloudWatch alarms (and only they:
    ``aws:SourceAccount``, ``aws:SourceArn``) may encrypt to the topic."""
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
                    "Condition": {
                        "StringEquals": {"aws:SourceAccount": account},
                        "ArnLike": {
                            "aws:SourceArn": f"arn:aws:cloudwatch:{region}:{account}:alarm:*"
                        },
                    },
                },
            ],
        },
        sort_keys=True,
    )


def alarm_topic_policy(topic_arn: str, account: str, region: str) -> str:
    """The topic's own policy, in place of SNS's default (every principal of the account may
    do anything): this account's CloudWatch alarms publish, the account administers, and
    nothing reaches it without TLS."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "CloudWatchAlarmsPublish",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudwatch.amazonaws.com"},
                    "Action": "sns:Publish",
                    "Resource": topic_arn,
                    "Condition": {
                        "StringEquals": {"aws:SourceAccount": account},
                        "ArnLike": {
                            "aws:SourceArn": f"arn:aws:cloudwatch:{region}:{account}:alarm:*"
                        },
                    },
                },
                {
                    "Sid": "AccountAdministers",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                    "Action": [
                        "sns:GetTopicAttributes",
                        "sns:ListSubscriptionsByTopic",
                        "sns:SetTopicAttributes",
                        "sns:Subscribe",
                    ],
                    "Resource": topic_arn,
                },
                {
                    "Sid": "TlsOnly",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "sns:Publish",
                    "Resource": topic_arn,
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                },
            ],
        },
        sort_keys=True,
    )


@dataclass(frozen=True)
class MonitoringArgs:
    tags: StackTags
    region: str
    resources: MonitoredResources
    alarm_email: str | None = None


class Monitoring(pulumi.ComponentResource):
    """An encrypted SNS topic, the alarms that notify it, and one dashboard."""

    def __init__(self, name: str, args: MonitoringArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("green-matchers:monitoring:Monitoring", name, None, opts)
        stack_tags = args.tags
        account = aws.get_caller_identity().account_id
        # CloudWatch cannot publish to a topic under the AWS-managed alias/aws/sns key (its
        # policy cannot grant cloudwatch.amazonaws.com), so the topic gets a key of its own.
        key = aws.kms.Key(
            f"{name}-alarms-key",
            description="Encrypts the Green Matchers alarm topic; CloudWatch may use it",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=alarm_key_policy(account, args.region),
            tags=tags(stack_tags, f"{name}-alarms-key"),
            opts=child(self),
        )
        topic = aws.sns.Topic(
            f"{name}-alarms",
            kms_master_key_id=key.arn,
            tags=tags(stack_tags, f"{name}-alarms"),
            opts=child(self),
        )
        aws.sns.TopicPolicy(
            f"{name}-alarms-policy",
            arn=topic.arn,
            policy=topic.arn.apply(lambda arn: alarm_topic_policy(arn, account, args.region)),
            opts=child(self),
        )
        if args.alarm_email:
            aws.sns.TopicSubscription(
                f"{name}-alarms-email",
                topic=topic.arn,
                protocol="email",
                endpoint=args.alarm_email,
                opts=child(self),
            )
        specs = alarm_specs(args.resources)
        for spec in specs:
            aws.cloudwatch.MetricAlarm(
                f"{name}-{spec.key}",
                alarm_description=spec.description,
                comparison_operator=spec.comparison,
                threshold=spec.threshold,
                evaluation_periods=spec.evaluation_periods,
                treat_missing_data="notBreaching",
                alarm_actions=[topic.arn],
                ok_actions=[topic.arn],
                tags=tags(stack_tags, f"{name}-{spec.key}"),
                opts=child(self),
                **alarm_metric(spec),
            )
        self.dashboard = aws.cloudwatch.Dashboard(
            f"{name}-dashboard",
            dashboard_name=dashboard_name(f"green-matchers-{stack_tags.stack}"),
            dashboard_body=pulumi.Output.all(
                *[
                    pulumi.Output.all(
                        **{k: pulumi.Output.from_input(v) for k, v in f.dimensions.items()}
                    )
                    for f in dashboard_fleets(args.resources)
                ]
            ).apply(
                lambda resolved: dashboard_body(
                    args.region,
                    stack_tags.stack,
                    [
                        DashboardFleet(f.kind, f.label, dims)
                        for f, dims in zip(dashboard_fleets(args.resources), resolved, strict=True)
                    ],
                )
            ),
            opts=child(self),
        )
        self.register_outputs({"alarmTopicArn": topic.arn})
