"""Live checks of what a stack's phase should have (boto3, emulator or AWS).

ALB active with listeners; every target group's targets healthy (waiting while they are
``initial``); each ASG's InService count equal to desired; RDS primaries and replicas
available with ReplicaLag under a threshold; the Redis replication group available with its
members; CloudFront deployed; VPC Lattice present from phase 4; from phase 3 the shard map
says the reshard is done (read on a worker through SSM). Items the emulator cannot
hold are reported as ``not-emulated``, never as passing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from infra.checks.results import CheckResult
from infra.engines.base import RESHARD_NOT_EMULATED, Inventory
from infra.errors import GmError
from infra.phases import SHARDED_PHASE
from infra.remote.reshard import check_status
from infra.remote.reshard_flow import RemoteOptions, remote_status

ClientFor = Callable[[str], Any]


@dataclass(frozen=True)
class VerifyOptions:
    target_timeout_s: float = 300.0
    poll_s: float = 5.0
    max_replica_lag_s: float = 30.0


def verify(
    inventory: Inventory, client: ClientFor, options: VerifyOptions | None = None
) -> list[CheckResult]:
    opts = options or VerifyOptions()
    groups: list[tuple[str, Callable[[], list[CheckResult]]]] = [
        ("alb", lambda: check_load_balancers(client("elbv2"), inventory.load_balancers)),
        ("targets", lambda: check_target_groups(client("elbv2"), inventory.target_groups, opts)),
        (
            "asg",
            lambda: check_auto_scaling_groups(client("autoscaling"), inventory.auto_scaling_groups),
        ),
        ("rds", lambda: check_databases(client("rds"), client("cloudwatch"), inventory, opts)),
        ("redis", lambda: check_caches(client("elasticache"), inventory.cache_groups)),
        ("cloudfront", lambda: check_distributions(client("cloudfront"), inventory.distributions)),
    ]
    if inventory.phase >= 4:
        groups.append(("lattice", lambda: check_lattice(client("vpc-lattice"), inventory)))
    if inventory.phase >= SHARDED_PHASE and RESHARD_NOT_EMULATED not in inventory.not_emulated:
        groups.append(("reshard", lambda: check_reshard(client, inventory)))
    results: list[CheckResult] = []
    for check, run in groups:
        try:
            results += run()
        except (BotoCoreError, ClientError) as error:
            # A resource the state names but the cloud does not hold is a failed check.
            results.append(CheckResult(check, "-", "fail", f"AWS refused the check: {error}"))
    results += [
        CheckResult("emulator", name, "not-emulated", note)
        for name, note in sorted(inventory.not_emulated.items())
    ]
    return results


def check_load_balancers(elbv2: Any, arns: list[str]) -> list[CheckResult]:
    results = []
    if not arns:
        return [CheckResult("alb", "-", "fail", "the stack has no load balancer")]
    for arn in arns:
        lb = elbv2.describe_load_balancers(LoadBalancerArns=[arn])["LoadBalancers"][0]
        state = lb.get("State", {}).get("Code", "unknown")
        listeners = elbv2.describe_listeners(LoadBalancerArn=arn)["Listeners"]
        ok = state == "active" and bool(listeners)
        ports = ", ".join(str(lst["Port"]) for lst in listeners) or "none"
        results.append(
            CheckResult(
                "alb",
                lb["LoadBalancerName"],
                "ok" if ok else "fail",
                f"state {state}, listeners on {ports}",
            )
        )
    return results


def target_health_summary(descriptions: list[dict[str, Any]]) -> dict[str, int]:
    """Count of targets per state (healthy, initial, unhealthy, ...)."""
    counts: dict[str, int] = {}
    for target in descriptions:
        state = target.get("TargetHealth", {}).get("State", "unknown")
        counts[state] = counts.get(state, 0) + 1
    return counts


def check_target_groups(elbv2: Any, arns: list[str], opts: VerifyOptions) -> list[CheckResult]:
    deadline = time.monotonic() + opts.target_timeout_s
    pending = list(arns)
    results: dict[str, CheckResult] = {}
    while True:
        waiting = []
        for arn in pending:
            health = elbv2.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"]
            counts = target_health_summary(health)
            name = arn.split(":", 5)[-1].split("/")[1] if "/" in arn else arn
            detail = ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "no targets"
            if counts.get("initial") and time.monotonic() < deadline:
                waiting.append(arn)
                continue
            healthy = counts.get("healthy", 0)
            ok = healthy > 0 and healthy == sum(counts.values())
            if counts.get("initial"):
                detail += f" (still initial after {opts.target_timeout_s:g}s)"
            results[arn] = CheckResult("targets", name, "ok" if ok else "fail", detail)
        if not waiting:
            break
        pending = waiting
        time.sleep(min(opts.poll_s, max(0.0, deadline - time.monotonic())))
    return [results[arn] for arn in arns]


def check_auto_scaling_groups(autoscaling: Any, groups: dict[str, int]) -> list[CheckResult]:
    results = []
    names = sorted(groups)
    found = (
        {
            g["AutoScalingGroupName"]: g
            for g in autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=names)[
                "AutoScalingGroups"
            ]
        }
        if names
        else {}
    )
    for name in names:
        group = found.get(name)
        if group is None:
            results.append(CheckResult("asg", name, "fail", "not found"))
            continue
        desired = int(group["DesiredCapacity"])
        in_service = sum(
            1 for i in group.get("Instances", []) if i.get("LifecycleState") == "InService"
        )
        ok = in_service == desired and desired == groups[name]
        results.append(
            CheckResult(
                "asg",
                name,
                "ok" if ok else "fail",
                f"{in_service} InService, desired {desired} (phase wants {groups[name]})",
            )
        )
    return results


def replica_lag(cloudwatch: Any, identifier: str, now: datetime | None = None) -> float | None:
    """The highest ReplicaLag (seconds) over the last 10 minutes; None without data."""
    end = now or datetime.now(UTC)
    points = cloudwatch.get_metric_statistics(
        Namespace="AWS/RDS",
        MetricName="ReplicaLag",
        Dimensions=[{"Name": "DBInstanceIdentifier", "Value": identifier}],
        StartTime=end - timedelta(minutes=10),
        EndTime=end,
        Period=60,
        Statistics=["Maximum"],
    )["Datapoints"]
    return max((float(p["Maximum"]) for p in points), default=None)


def check_databases(
    rds: Any, cloudwatch: Any, inventory: Inventory, opts: VerifyOptions
) -> list[CheckResult]:
    results = []
    replicas = set(inventory.db_replicas)
    for identifier in [*inventory.db_primaries, *inventory.db_replicas]:
        role = "replica" if identifier in replicas else "primary"
        try:
            db = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
        except Exception:
            results.append(CheckResult(f"rds {role}", identifier, "fail", "not found"))
            continue
        status = db.get("DBInstanceStatus", "unknown")
        if status != "available":
            results.append(CheckResult(f"rds {role}", identifier, "fail", f"status {status}"))
            continue
        results += pending_changes(f"rds {role}", identifier, db.get("PendingModifiedValues"))
        if role == "primary":
            count = len(db.get("ReadReplicaDBInstanceIdentifiers", []))
            results.append(
                CheckResult("rds primary", identifier, "ok", f"available, {count} read replicas")
            )
            continue
        lag = replica_lag(cloudwatch, identifier)
        if lag is None:
            results.append(
                CheckResult(
                    "rds replica",
                    identifier,
                    "no-data",
                    "available; no ReplicaLag datapoints in 10 min",
                )
            )
        else:
            ok = lag <= opts.max_replica_lag_s
            results.append(
                CheckResult(
                    "rds replica",
                    identifier,
                    "ok" if ok else "fail",
                    f"available, ReplicaLag {lag:g}s (limit {opts.max_replica_lag_s:g}s)",
                )
            )
    return results


def pending_changes(check: str, target: str, pending: dict[str, Any] | None) -> list[CheckResult]:
    """A modification AWS has not applied yet fails verify: until it lands the old capacity
    serves the phase (the stacks apply immediately; a change made outside them, or with
    apply-immediately off, waits for the maintenance window, up to seven days)."""
    if not pending:
        return []
    shown = ", ".join(f"{k}={v}" for k, v in sorted(pending.items()))
    command = (
        "rds modify-db-instance"
        if check.startswith("rds")
        else ("elasticache modify-replication-group")
    )
    return [
        CheckResult(
            check,
            target,
            "fail",
            f"modification pending, not applied yet: {shown} (apply it now: aws {command} "
            "--apply-immediately, or wait for the maintenance window)",
        )
    ]


def check_caches(elasticache: Any, groups: dict[str, int]) -> list[CheckResult]:
    results = []
    for group_id, wanted in sorted(groups.items()):
        group = elasticache.describe_replication_groups(ReplicationGroupId=group_id)[
            "ReplicationGroups"
        ][0]
        status = group.get("Status", "unknown")
        members = len(group.get("MemberClusters", []))
        ok = status == "available" and members == wanted
        results.append(
            CheckResult(
                "redis",
                group_id,
                "ok" if ok else "fail",
                f"{status}, {members} members (phase wants {wanted})",
            )
        )
        results += pending_changes("redis", group_id, group.get("PendingModifiedValues"))
    return results


def check_distributions(cloudfront: Any, ids: list[str]) -> list[CheckResult]:
    results = []
    for dist_id in ids:
        dist = cloudfront.get_distribution(Id=dist_id)["Distribution"]
        status = dist.get("Status", "unknown")
        results.append(
            CheckResult(
                "cloudfront",
                dist_id,
                "ok" if status == "Deployed" else "fail",
                f"{status}, {dist.get('DomainName', '')}",
            )
        )
    return results


def lattice_auth_problem(lattice: Any, identifier: str, auth_type: str | None) -> str | None:
    """Why a Lattice network or service is not IAM-guarded, or None: AWS_IAM auth with an
    active auth policy (the stacks attach one to each)."""
    if auth_type != "AWS_IAM":
        return f"auth type {auth_type or 'NONE'}: any client in the network may call it"
    try:
        policy = lattice.get_auth_policy(resourceIdentifier=identifier)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            return "AWS_IAM without an auth policy: every call is denied"
        raise
    if policy.get("state", "Active") != "Active":
        return f"auth policy {policy.get('state')}"
    return None


def check_lattice(lattice: Any, inventory: Inventory) -> list[CheckResult]:
    if not inventory.lattice_networks:
        return [CheckResult("lattice", "-", "fail", "phase 4 has no VPC Lattice service network")]
    results = []
    for network_id in inventory.lattice_networks:
        network = lattice.get_service_network(serviceNetworkIdentifier=network_id)
        problem = lattice_auth_problem(lattice, network_id, network.get("authType"))
        results.append(
            CheckResult(
                "lattice",
                network.get("name", network_id),
                "fail" if problem else "ok",
                problem
                or f"service network with {len(inventory.lattice_services)} services, AWS_IAM",
            )
        )
    for service_id in inventory.lattice_services:
        service = lattice.get_service(serviceIdentifier=service_id)
        problem = lattice_auth_problem(lattice, service_id, service.get("authType"))
        results.append(
            CheckResult(
                "lattice",
                service.get("name", service_id),
                "fail" if problem else "ok",
                problem or f"service {service.get('status', 'present')}, AWS_IAM",
            )
        )
    return results


def check_reshard(client: ClientFor, inventory: Inventory) -> list[CheckResult]:
    """Phase 3+: a worker reads the shard map through SSM Run Command; it must say done,
    with every range at its targets and verified (README: Resharding)."""
    groups = sorted(inventory.auto_scaling_groups)
    try:
        instance, status = remote_status(
            client("autoscaling"), client("ssm"), groups, RemoteOptions(), inventory.phase
        )
    except GmError as error:
        return [CheckResult("reshard", "shard map", "fail", error.message)]
    ok, detail = check_status(status)
    return [CheckResult("reshard", f"shard map (via {instance})", "ok" if ok else "fail", detail)]
