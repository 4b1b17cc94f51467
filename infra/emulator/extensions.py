"""Calls moto 5.2 lacks that the local engine uses, added to the emulator gm-infra starts.

- ElastiCache ``IncreaseReplicaCount`` / ``DecreaseReplicaCount`` (cluster mode disabled):
  the real AWS calls that grow or shrink a Redis replication group in place. Against a plain
  moto server they fail and the local engine records the change as not emulated.
- EC2 ``CreateLaunchTemplateVersion`` keeps ``UserData`` undecoded in moto 5.2, and the next
  ASG scale-out then fails with a 500; the version's user data is parsed as
  ``CreateLaunchTemplate`` does.
- AWS managed IAM policies are loaded (moto's ``load_aws_managed_policies``), so
  ``AttachRolePolicy`` with ``arn:aws:iam::aws:policy/...`` works as in AWS.
- An ASG with a mixed instances policy launches one instance too few in moto 5.2 when the
  on-demand share above base is fractional (``int()`` on both halves); it is topped up to
  the desired capacity, as AWS does.
- RDS ``ModifyDBSubnetGroup`` drops the group from moto 5.2's table (it is popped and never
  put back); it is put back.
- Service Quotas: moto 5.2 knows only the VPC quotas. The emulated account also answers
  ``GetServiceQuota`` for the on-demand standard vCPU quota (L-1216C47A) with an applied
  value, as an account that has been raised past a new account's 5 vCPUs does; without it
  no phase from 2 on could be rehearsed. Every other quota moto lacks stays unanswered, so
  the preflight uses (and says it uses) the AWS default.
- CloudWatch ``GetMetricStatistics`` drops ``ExtendedStatistics`` (percentiles) in moto 5.2
  although it keeps every published value (``Values``/``Counts`` are expanded); they are
  answered from those values (nearest rank), so ``gm-infra metrics`` shows p50/p95/p99.
"""

from __future__ import annotations

import re
from typing import Any

_INSTALLED = False
# The emulated account's applied on-demand standard vCPU quota: phase 4 at max size needs 112.
EMULATED_VCPU_QUOTA = 512.0


def install() -> None:
    """Add the missing calls to moto's ElastiCache responses (idempotent)."""
    global _INSTALLED
    if _INSTALLED:
        return
    from moto.core.responses import ActionResult
    from moto.elasticache.responses import ElastiCacheResponse

    def _resize(self: Any, grow: bool) -> Any:
        group_id = self._get_param("ReplicationGroupId")
        wanted = self._get_int_param("NewReplicaCount")
        group = self.elasticache_backend.describe_replication_groups(group_id)[0]
        set_replica_count(group, int(wanted))
        return ActionResult({"ReplicationGroup": group})

    def increase_replica_count(self: Any) -> Any:
        return _resize(self, grow=True)

    def decrease_replica_count(self: Any) -> Any:
        return _resize(self, grow=False)

    _load_managed_policies()
    _fix_launch_template_versions()
    _fix_mixed_instances_capacity()
    _fix_db_subnet_group_modify()
    _applied_vcpu_quota()
    _percentile_statistics()
    ElastiCacheResponse.increase_replica_count = increase_replica_count  # type: ignore[attr-defined]
    ElastiCacheResponse.decrease_replica_count = decrease_replica_count  # type: ignore[attr-defined]
    _INSTALLED = True


def _load_managed_policies() -> None:
    """AWS managed IAM policies exist in AWS, so they exist here (moto's opt-in setting)."""
    from moto.core.config import default_user_config

    default_user_config["iam"]["load_aws_managed_policies"] = True


def _fix_launch_template_versions() -> None:
    from moto.ec2.responses.launch_templates import LaunchTemplates
    from moto.ec2.utils import parse_user_data

    original = LaunchTemplates.create_launch_template_version

    def create_launch_template_version(self: Any) -> Any:
        get_param = self._get_param

        def patched(name: str, default: Any = None) -> Any:
            value = get_param(name, default)
            if name == "LaunchTemplateData" and isinstance(value, dict) and "UserData" in value:
                value["UserData"] = parse_user_data(get_param("LaunchTemplateData.UserData"))
            return value

        self._get_param = patched
        try:
            return original(self)
        finally:
            del self._get_param

    LaunchTemplates.create_launch_template_version = create_launch_template_version  # type: ignore[method-assign]


def _fix_mixed_instances_capacity() -> None:
    from moto.autoscaling.models import FakeAutoScalingGroup

    original = FakeAutoScalingGroup.set_desired_capacity

    def set_desired_capacity(self: Any, new_capacity: int | None) -> None:
        original(self, new_capacity)
        missing = int(self.desired_capacity or 0) - len(self.active_instances())
        if self.mixed_instances_policy and missing > 0:
            self.replace_autoscaling_group_instances(missing, self.get_propagated_tags())
            if self.name in self.autoscaling_backend.autoscaling_groups:
                self.autoscaling_backend.update_attached_target_groups(self.name)

    FakeAutoScalingGroup.set_desired_capacity = set_desired_capacity  # type: ignore[method-assign]


def _fix_db_subnet_group_modify() -> None:
    from moto.rds.models import RDSBackend

    original = RDSBackend.modify_db_subnet_group

    def modify_db_subnet_group(
        self: Any, subnet_name: str, description: str, subnets: list[Any]
    ) -> Any:
        group = original(self, subnet_name, description, subnets)
        self.subnet_groups[subnet_name] = group
        return group

    RDSBackend.modify_db_subnet_group = modify_db_subnet_group  # type: ignore[method-assign]


def _applied_vcpu_quota() -> None:
    from moto.servicequotas.models import ServiceQuotasBackend

    original = ServiceQuotasBackend.get_service_quota

    def get_service_quota(self: Any, service_code: str, quota_code: str) -> dict[str, Any]:
        if (service_code, quota_code) == ("ec2", "L-1216C47A"):
            return {
                "ServiceCode": "ec2",
                "QuotaCode": quota_code,
                "QuotaName": "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances",
                "Value": EMULATED_VCPU_QUOTA,
                "Unit": "None",
                "Adjustable": True,
                "GlobalQuota": False,
            }
        return original(self, service_code, quota_code)

    ServiceQuotasBackend.get_service_quota = get_service_quota  # type: ignore[method-assign]


def set_replica_count(group: Any, replicas: int) -> None:
    """Make the first node group hold one primary and ``replicas`` replicas."""
    node_group = group.node_groups[0]
    members: list[dict[str, Any]] = node_group["node_group_members"]
    primary = members[0]
    domain = primary["read_endpoint"]["address"].split(".", 1)[1]
    while len(members) - 1 > replicas:
        gone = members.pop()
        group.member_clusters.remove(gone["cache_cluster_id"])
    while len(members) - 1 < replicas:
        cluster_id = f"{group.replication_group_id}-{len(members) + 1:0>3}"
        members.append(
            {
                "cache_cluster_id": cluster_id,
                "cache_node_id": node_group["node_group_id"],
                "read_endpoint": {"address": f"{cluster_id}.{domain}", "port": group.port},
                "preferred_availability_zone": "us-east-1b",
                "current_role": "replica",
            }
        )
        group.member_clusters.append(cluster_id)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile of ``values`` (non-empty)."""
    import math

    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100.0 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def _percentile_statistics() -> None:
    from moto.cloudwatch import models
    from moto.cloudwatch.responses import CloudWatchResponse
    from moto.core.responses import ActionResult

    def extended_statistics(self: Any) -> dict[str, float] | None:
        wanted = getattr(self, "gm_extended", None)
        values = self.metric_single_values_list
        if not wanted or not values:
            return None
        return {p: percentile(values, float(p[1:])) for p in wanted}

    models.Statistics.extended_statistics = property(extended_statistics)  # type: ignore[attr-defined]
    original = CloudWatchResponse.get_metric_statistics

    def get_metric_statistics(self: Any) -> Any:
        extended = self._get_param("ExtendedStatistics") or []
        if not extended:
            return original(self)
        bad = [p for p in extended if not re.fullmatch(r"p\d{1,2}(\.\d+)?", p)]
        if bad:
            return original(self)  # moto's own error for what it does not support
        statistics = self._get_param("Statistics", [])
        datapoints = self.cloudwatch_backend.get_metric_statistics(
            self._get_param("Namespace"),
            self._get_param("MetricName"),
            self._get_param("StartTime"),
            self._get_param("EndTime"),
            self._get_int_param("Period"),
            statistics,
            unit=self._get_param("Unit"),
            dimensions=self._get_param("Dimensions", []),
        )
        for point in datapoints:
            point.gm_extended = extended
        return ActionResult({"Label": self._get_param("MetricName"), "Datapoints": datapoints})

    CloudWatchResponse.get_metric_statistics = get_metric_statistics  # type: ignore[method-assign]
