"""Fleet: a launch template (IMDSv2, instance profile, rendered user data) and its ASG.

Used for the API servers, the Celery workers and the phase-4 services.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from infra.components.common import child, tags
from infra.settings import FleetSettings, StackTags, WorkerSettings

HEALTH_CHECK_GRACE_SECONDS = 900  # first boot installs the app and loads its model
INSTANCE_WARMUP_SECONDS = "300"
# scaling: simple, the scalability guide's policies: one instance more over 80% CPU, one
# fewer under 20%, then a 300 s cooldown (its `put-scaling-policy --scaling-adjustment ±1
# --cooldown 300`, whose default policy type is SimpleScaling).
SIMPLE_STEPS = (("out", 1, "GreaterThanThreshold", 80.0), ("in", -1, "LessThanThreshold", 20.0))
SIMPLE_COOLDOWN_SECONDS = 300
ALARM_PERIOD_SECONDS = 60  # launch templates turn on detailed (one-minute) monitoring
ALARM_EVALUATION_PERIODS = 5  # five minutes past the threshold, as long as the cooldown


def spot_alternatives(instance_type: str) -> list[str]:
    """Same-size siblings that widen the spot pools (t3.medium -> t3a.medium)."""
    family, _, size = instance_type.partition(".")
    siblings = {"t3": ["t3a"], "t3a": ["t3"], "m6i": ["m6a", "m5"], "m5": ["m6i"], "c6i": ["c5"]}
    return [instance_type, *(f"{other}.{size}" for other in siblings.get(family, []))]


def encode_user_data(script: str) -> str:
    """Launch templates take user data base64-encoded."""
    return base64.b64encode(script.encode()).decode()


@dataclass(frozen=True)
class FleetArgs:
    fleet: FleetSettings
    role: str
    image_id: pulumi.Input[str]
    subnet_ids: list[pulumi.Output[str]]
    security_group_id: pulumi.Input[str]
    instance_profile_name: pulumi.Input[str]
    user_data: pulumi.Input[str]
    tags: StackTags
    target_group_arns: list[pulumi.Input[str]] = field(default_factory=list)
    # A termination lifecycle hook of this name holds a leaving instance (scale-in, a
    # rebalance, a spot interruption) in Terminating:Wait until it completes the action
    # (the workers' gm-drain, after Celery's warm shutdown) or the heartbeat runs out.
    drain_hook: str | None = None
    drain_heartbeat_s: int = 900


class Fleet(pulumi.ComponentResource):
    """An auto-scaling group that rolls out a new launch template without downtime."""

    group: aws.autoscaling.Group
    launch_template: aws.ec2.LaunchTemplate

    def __init__(self, name: str, args: FleetArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("green-matchers:compute:Fleet", name, None, opts)
        stack_tags = args.tags
        fleet = args.fleet
        behind_alb = bool(args.target_group_arns)

        self.launch_template = aws.ec2.LaunchTemplate(
            f"{name}-lt",
            description=f"Green Matchers {args.role} instances",
            image_id=args.image_id,
            instance_type=fleet.instance_type,
            vpc_security_group_ids=[args.security_group_id],
            iam_instance_profile={"name": args.instance_profile_name},
            user_data=args.user_data,
            update_default_version=True,
            ebs_optimized="true",
            monitoring={"enabled": True},
            metadata_options={
                "http_endpoint": "enabled",
                "http_tokens": "required",
                "http_put_response_hop_limit": 1,
                "instance_metadata_tags": "enabled",
            },
            block_device_mappings=[
                {
                    "device_name": "/dev/sda1",
                    "ebs": {
                        "volume_size": 30,
                        "volume_type": "gp3",
                        "encrypted": "true",
                        "delete_on_termination": "true",
                    },
                }
            ],
            tag_specifications=[
                {"resource_type": "instance", "tags": tags(stack_tags, name, Role=args.role)},
                {"resource_type": "volume", "tags": tags(stack_tags, name, Role=args.role)},
            ],
            tags=tags(stack_tags, f"{name}-lt", Role=args.role),
            opts=child(self),
        )

        version = self.launch_template.latest_version.apply(str)
        spot = isinstance(fleet, WorkerSettings)
        launch_template: aws.autoscaling.GroupLaunchTemplateArgsDict | None = None
        mixed: aws.autoscaling.GroupMixedInstancesPolicyArgsDict | None = None
        if isinstance(fleet, WorkerSettings):
            mixed = {
                "instances_distribution": {
                    "on_demand_base_capacity": fleet.on_demand_base,
                    "on_demand_percentage_above_base_capacity": fleet.on_demand_percent_above_base,
                    "spot_allocation_strategy": "price-capacity-optimized",
                    # None (unset) pays up to the on-demand price, as AWS does by default
                    "spot_max_price": None
                    if fleet.spot_max_price is None
                    else f"{fleet.spot_max_price:g}",
                },
                "launch_template": {
                    "launch_template_specification": {
                        "launch_template_id": self.launch_template.id,
                        "version": version,
                    },
                    "overrides": [
                        {"instance_type": t} for t in spot_alternatives(fleet.instance_type)
                    ],
                },
            }
        else:
            launch_template = {"id": self.launch_template.id, "version": version}

        single = fleet.desired_capacity <= 1
        refresh: aws.autoscaling.GroupInstanceRefreshArgsDict = {
            "strategy": "Rolling",
            "preferences": {
                "min_healthy_percentage": 100 if single else 90,
                "max_healthy_percentage": 200 if single else 110,
                "instance_warmup": INSTANCE_WARMUP_SECONDS,
                "auto_rollback": True,
                "skip_matching": True,
            },
        }
        group_tags: list[aws.autoscaling.GroupTagArgsDict] = [
            {"key": key, "value": value, "propagate_at_launch": True}
            for key, value in (
                ("Name", name),
                ("Role", args.role),
                ("Project", stack_tags.project),
                ("Stack", stack_tags.stack),
            )
        ]
        self.group = aws.autoscaling.Group(
            f"{name}-asg",
            min_size=fleet.min_size,
            max_size=fleet.max_size,
            desired_capacity=fleet.desired_capacity,
            vpc_zone_identifiers=args.subnet_ids,
            target_group_arns=args.target_group_arns or None,
            health_check_type="ELB" if behind_alb else "EC2",
            health_check_grace_period=HEALTH_CHECK_GRACE_SECONDS,
            default_instance_warmup=int(INSTANCE_WARMUP_SECONDS),
            instance_refresh=refresh,
            termination_policies=["OldestLaunchTemplate", "Default"],
            enabled_metrics=[
                aws.autoscaling.Metric.GROUP_DESIRED_CAPACITY,
                aws.autoscaling.Metric.GROUP_IN_SERVICE_INSTANCES,
                aws.autoscaling.Metric.GROUP_PENDING_INSTANCES,
                aws.autoscaling.Metric.GROUP_TERMINATING_INSTANCES,
                aws.autoscaling.Metric.GROUP_TOTAL_INSTANCES,
            ],
            tags=group_tags,
            opts=child(self),
            launch_template=launch_template,
            mixed_instances_policy=mixed,
            capacity_rebalance=True if spot else None,
        )
        if args.drain_hook:
            aws.autoscaling.LifecycleHook(
                f"{name}-drain",
                name=args.drain_hook,
                autoscaling_group_name=self.group.name,
                lifecycle_transition="autoscaling:EC2_INSTANCE_TERMINATING",
                heartbeat_timeout=args.drain_heartbeat_s,
                default_result="CONTINUE",
                opts=child(self),
            )
        if fleet.scaling == "simple":
            self._simple_scaling(name, stack_tags, args.role)
        else:
            self._target_tracking(name, fleet)
        self.register_outputs({"groupName": self.group.name})

    def _target_tracking(self, name: str, fleet: FleetSettings) -> None:
        """AWS adds and removes instances to hold average CPU at ``cpuTarget``."""
        aws.autoscaling.Policy(
            f"{name}-cpu-target",
            autoscaling_group_name=self.group.name,
            policy_type="TargetTrackingScaling",
            estimated_instance_warmup=int(INSTANCE_WARMUP_SECONDS),
            target_tracking_configuration={
                "predefined_metric_specification": {
                    "predefined_metric_type": "ASGAverageCPUUtilization",
                },
                "target_value": float(fleet.cpu_target),
            },
            opts=child(self),
        )

    def _simple_scaling(self, name: str, stack_tags: StackTags, role: str) -> None:
        """The guide's +1 / -1 policies, each fired by its own CPU alarm."""
        for direction, adjustment, comparison, threshold in SIMPLE_STEPS:
            policy = aws.autoscaling.Policy(
                f"{name}-scale-{direction}",
                autoscaling_group_name=self.group.name,
                policy_type="SimpleScaling",
                adjustment_type="ChangeInCapacity",
                scaling_adjustment=adjustment,
                cooldown=SIMPLE_COOLDOWN_SECONDS,
                opts=child(self),
            )
            side = "over" if adjustment > 0 else "under"
            aws.cloudwatch.MetricAlarm(
                f"{name}-cpu-scale-{direction}",
                alarm_description=(
                    f"{role} fleet CPU {side} {threshold:g}%: one instance "
                    f"{'more' if adjustment > 0 else 'fewer'}"
                ),
                namespace="AWS/EC2",
                metric_name="CPUUtilization",
                dimensions={"AutoScalingGroupName": self.group.name},
                statistic="Average",
                period=ALARM_PERIOD_SECONDS,
                evaluation_periods=ALARM_EVALUATION_PERIODS,
                comparison_operator=comparison,
                threshold=threshold,
                treat_missing_data="missing",
                alarm_actions=[policy.arn],
                tags=tags(stack_tags, f"{name}-cpu-scale-{direction}", Role=role),
                opts=child(self),
            )
