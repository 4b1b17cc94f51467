"""The seed's monitoring list as data: each item, its group, which fleet it is per, and the
CloudWatch metric (or metric math) that measures it.

Groups follow the seed's four: application, database, cache, business. Fleet kinds:
``service`` (the app's own metrics, namespace ``GreenMatchers``, dimensions Stack/Service/
Phase), ``asg`` (EC2 by Auto Scaling group), ``database`` / ``replica`` (RDS instance),
``cache`` (ElastiCache node), ``target_group`` (ALB target group).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

APP_NAMESPACE = "GreenMatchers"  # the app publishes here (infra/render/userdata.py)
Group = Literal["application", "database", "cache", "business"]
FleetKind = Literal["service", "asg", "database", "replica", "cache", "target_group"]
Formula = Literal["stat", "per_second", "ratio"]
GROUPS: tuple[Group, ...] = ("application", "database", "cache", "business")
NAMESPACES: dict[FleetKind, str] = {
    "service": APP_NAMESPACE,
    "asg": "AWS/EC2",
    "database": "AWS/RDS",
    "replica": "AWS/RDS",
    "cache": "AWS/ElastiCache",
    "target_group": "AWS/ApplicationELB",
}


@dataclass(frozen=True)
class SeedItem:
    key: str
    group: Group
    label: str
    kind: FleetKind
    metric: str
    stat: str  # Sum, Average, Maximum, p50 ...
    unit: str  # how the value is shown
    formula: Formula = "stat"
    # ratio: 100 * metric / (sum of these) ; per_second: Sum / seconds
    denominator: tuple[str, ...] = ()

    @property
    def namespace(self) -> str:
        return NAMESPACES[self.kind]


def _svc(key: str, group: Group, label: str, metric: str, stat: str, unit: str) -> SeedItem:
    return SeedItem(key, group, label, "service", metric, stat, unit)


SEED_ITEMS: tuple[SeedItem, ...] = (
    # application
    SeedItem("request_rate", "application", "request rate", "service", "RequestCount", "Sum",
             "req/s", "per_second"),
    _svc("latency_p50", "application", "response time p50", "Latency", "p50", "ms"),
    _svc("latency_p95", "application", "response time p95", "Latency", "p95", "ms"),
    _svc("latency_p99", "application", "response time p99", "Latency", "p99", "ms"),
    SeedItem("error_rate", "application", "error rate (5xx)", "service", "Errors5xx", "Sum",
             "%", "ratio", ("RequestCount",)),
    _svc("client_errors", "application", "client errors (4xx)", "Errors4xx", "Sum", "count"),
    _svc("memory", "application", "instance memory", "InstanceMemoryUtilization", "Maximum", "%"),
    _svc("process_memory", "application", "app process memory", "ProcessMemory", "Maximum", "MB"),
    SeedItem("cpu", "application", "CPU", "asg", "CPUUtilization", "Average", "%"),
    SeedItem("alb_requests", "application", "ALB requests", "target_group", "RequestCount",
             "Sum", "count"),
    SeedItem("alb_p99", "application", "ALB target response p99", "target_group",
             "TargetResponseTime", "p99", "s"),
    SeedItem("alb_5xx", "application", "ALB target 5xx", "target_group",
             "HTTPCode_Target_5XX_Count", "Sum", "count"),
    # database
    _svc("pool_usage", "database", "connection pool usage", "DbPoolSaturation", "Maximum", "%"),
    SeedItem("query_load", "database", "query performance (DB load)", "database", "DBLoad",
             "Average", "sessions"),
    SeedItem("db_connections", "database", "connections", "database", "DatabaseConnections",
             "Average", "count"),
    SeedItem("db_cpu", "database", "database CPU", "database", "CPUUtilization", "Average", "%"),
    SeedItem("read_iops", "database", "disk I/O read", "database", "ReadIOPS", "Average", "IOPS"),
    SeedItem("write_iops", "database", "disk I/O write", "database", "WriteIOPS", "Average",
             "IOPS"),
    SeedItem("disk_queue", "database", "disk queue depth", "database", "DiskQueueDepth",
             "Average", "count"),
    SeedItem("replica_lag", "database", "replication lag", "replica", "ReplicaLag", "Maximum",
             "s"),
    # cache
    SeedItem("cache_hit_rate", "cache", "cache hit rate", "cache", "CacheHitRate", "Average",
             "%"),
    SeedItem("app_cache_hit_rate", "cache", "app query-cache hit rate", "service", "CacheHits",
             "Sum", "%", "ratio", ("CacheHits", "CacheMisses")),
    SeedItem("cache_memory", "cache", "cache memory", "cache", "DatabaseMemoryUsagePercentage",
             "Maximum", "%"),
    SeedItem("evictions", "cache", "evictions", "cache", "Evictions", "Sum", "count"),
    # business
    _svc("active_users", "business", "active users (5 min)", "ActiveUsers", "Maximum", "users"),
    _svc("jobs_posted", "business", "jobs posted", "JobsPosted", "Sum", "count"),
    _svc("applications", "business", "applications submitted", "ApplicationsSubmitted", "Sum",
         "count"),
    _svc("recommendations", "business", "career recommendations", "CareerRecommendations",
         "Sum", "count"),
    _svc("matches", "business", "matches served", "Matches", "Sum", "count"),
)  # fmt: skip


def cache_node_id(group_id: str) -> str:
    """ElastiCache publishes Redis host metrics per node: the group's first node."""
    return f"{group_id}-001"
