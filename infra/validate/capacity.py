"""The capacity judge (part of gm-limits): connections added up across fleets, and req/s.

No single resource shows it: each app process opens one SQLAlchemy pool per database its
app env names (the writer, each replica, each shard, and one more on shard 0 for the shard
map), each up to ``pool size + overflow`` connections. At every fleet's ASG maximum the sum
per endpoint must stay within what the endpoint accepts:

- an RDS instance: ``max_connections``, RDS for MariaDB's default
  ``{DBInstanceClassMemory/12582880}`` (``infra/db_capacity.py``);
- an RDS Proxy: ``MaxConnectionsPercent`` of its target's ``max_connections`` (RDS User
  Guide, "RDS Proxy connection considerations");
- an ElastiCache Redis group: ``maxclients``, 65,000 on every node type and not modifiable
  (ElastiCache User Guide, "Redis OSS-specific parameters").

What each fleet opens is read from the boot.json its launch template's user data embeds;
its processes from its units and instance type, by gm-boot's own sizing
(``api_workers``, ``worker_concurrency``). The same judge compares each phase's
requests-per-second (``capacity`` in the profiles) with what its web fleets serve at their
ASG maxima at the benchmark's measured rate (an info finding: it never fails validate).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from infra.db_capacity import max_connections
from infra.plan.model import Plan, PlannedResource
from infra.plan.types import tokens as t
from infra.render.boot import api_workers, worker_concurrency
from infra.render.userdata import API_UNIT, ETC, UNIT_DIR, WORKER_UNIT, extract_files
from infra.validate.model import ERROR, INFO, Finding

TOOL = "gm-limits"
DB_RULE = "GM-LIMIT-DB-CONNECTIONS"
REDIS_RULE = "GM-LIMIT-REDIS-CLIENTS"
RPS_RULE = "GM-CAPACITY-RPS"
# ElastiCache: maxclients is 65000 for Redis OSS on every node type and cannot be changed.
REDIS_MAXCLIENTS = 65_000
# Redis connections one app process can hold: AnyIO's 40 worker threads (FastAPI runs sync
# routes there), each holding at most one, plus Celery's broker pool (broker_pool_limit 10).
REDIS_PER_PROCESS = 40 + 10
# The memory an instance's /proc/meminfo reports (what gm-boot sizes by) is less than its
# nominal memory (kernel and firmware reservations): about 95% on the t3/m/c/r families.
MEMTOTAL_SHARE = 0.95
# Requests/s one instance serves, measured: benchmarks/bench_app_faults.py, one uvicorn
# worker on MariaDB (writer + replica) and Redis, 16 client threads, the healthy mix of
# cached pages, database searches, careers, sessions and health (app/README.md: 73.6 + 66.2
# + 70.0 + 73.9 + 75.3 answered/s on 2 cores shared with the load generator).
MEASURED_RPS_PER_INSTANCE = 359
MEASURED_SOURCE = "benchmarks/bench_app_faults.py (app/README.md), healthy mix"
# The ALB's fleets: api, and in phase 4 the services behind its paths (ai-ml is internal).
INTERNAL_ROLES = ("worker", "service-ai-ml")

# vCPUs and GiB of the ``large`` size by family kind; ``xlarge`` doubles, ``Nxlarge`` is N
# times ``xlarge`` (EC2 instance type specifications, general purpose / compute / memory).
_LARGE = {"m": (2, 8), "c": (2, 4), "r": (2, 16)}
_T3 = {
    "nano": (2, 0.5),
    "micro": (2, 1),
    "small": (2, 2),
    "medium": (2, 4),
    "large": (2, 8),
    "xlarge": (4, 16),
    "2xlarge": (8, 32),
}


def ec2_size(instance_type: str) -> tuple[int, float]:
    """(vCPUs, GiB) of an instance type the settings allow; ValueError for any other."""
    family, _, size = instance_type.partition(".")
    if family in ("t3", "t3a") and size in _T3:
        return _T3[size]
    match = re.fullmatch(r"(\d*)xlarge", size)
    kind = family[:1]
    if kind in _LARGE and re.fullmatch(r"[mcr]\d[a-z]*", family):
        cpus, gib = _LARGE[kind]
        if size == "large":
            return cpus, gib
        if match:
            times = 2 * (int(match.group(1)) if match.group(1) else 1)
            return cpus * times, gib * times
    raise ValueError(f"no size known for instance type {instance_type!r}")


@dataclass
class FleetShape:
    role: str
    instance_type: str
    max_size: int
    processes: int
    boot: dict[str, Any]
    pool: int  # connections per pool: size + overflow


@dataclass
class Endpoint:
    kind: str  # writer, replica, proxy, redis
    resource: PlannedResource
    limit: int
    limit_text: str
    shares: list[tuple[str, int]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(n for _, n in self.shares)


def _tags(resource: PlannedResource) -> dict[str, str]:
    tags = resource.inputs.get("tags")
    if isinstance(tags, dict):
        return {str(k): str(v) for k, v in tags.items()}
    if isinstance(tags, list):
        return {str(x.get("key")): str(x.get("value")) for x in tags if isinstance(x, dict)}
    return {}


def fleets(plan: Plan) -> list[FleetShape]:
    """Each fleet: its launch template's boot.json and units, its group's maximum."""
    maxima = {
        _tags(r).get("Role", ""): int(r.inputs.get("maxSize") or 0)
        for r in plan.custom_resources()
        if r.type == t.AUTOSCALING_GROUP
    }
    found = []
    for template in plan.custom_resources():
        if template.type != t.LAUNCH_TEMPLATE:
            continue
        role = _tags(template).get("Role", template.name)
        try:
            script = base64.b64decode(str(template.inputs.get("userData")), validate=True)
            files = extract_files(script.decode())
            boot = json.loads(files[f"{ETC}/boot.json"])
        except (binascii.Error, UnicodeDecodeError, KeyError, ValueError):
            continue  # not one of ours: nothing to add up
        instance_type = str(template.inputs.get("instanceType", ""))
        try:
            cpus, gib = ec2_size(instance_type)
        except ValueError:
            continue  # an unknown instance type is its own finding (GM-LIMIT-INSTANCE-TYPE)
        mem_mb = int(gib * 1024 * MEMTOTAL_SHARE)
        processes = 0
        if f"{UNIT_DIR}/{API_UNIT}" in files:
            processes += api_workers(cpus, mem_mb)
        if f"{UNIT_DIR}/{WORKER_UNIT}" in files:
            processes += worker_concurrency(cpus, mem_mb)
        pool = sum((boot.get("db") or {}).get("pool") or [20, 40])  # the app's defaults
        found.append(FleetShape(role, instance_type, maxima.get(role, 0), processes, boot, pool))
    return sorted(found, key=lambda f: f.role)


def _first_label(host: str) -> str:
    return host.split(".", 1)[0]


def _redis_group(host: str) -> str:
    """``master.<group id>.<hash>.<region>.cache.amazonaws.com`` -> the group id."""
    labels = host.split(".")
    return labels[1] if labels[0] in ("master", "replica") and len(labels) > 1 else labels[0]


def endpoints(plan: Plan) -> dict[str, Endpoint]:
    """Every database and Redis endpoint the fleets may reach, by its host's name."""
    resources = plan.custom_resources()
    instances = {str(r.inputs.get("identifier")): r for r in resources if r.type == t.RDS_INSTANCE}
    found: dict[str, Endpoint] = {}
    for name, instance in instances.items():
        klass = str(instance.inputs.get("instanceClass"))
        kind = "replica" if instance.inputs.get("replicateSourceDb") else "writer"
        try:
            limit = max_connections(klass)
        except ValueError:
            continue  # an unknown class is its own finding (GM-LIMIT-CLASS)
        found[name] = Endpoint(kind, instance, limit, f"max_connections {limit:,} ({klass})")
    percent = {
        str(r.inputs.get("dbProxyName")): int(
            (r.inputs.get("connectionPoolConfig") or {}).get("maxConnectionsPercent") or 100
        )
        for r in resources
        if r.type == "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup"
    }
    targets = {
        str(r.inputs.get("dbProxyName")): str(r.inputs.get("dbInstanceIdentifier"))
        for r in resources
        if r.type == "aws:rds/proxyTarget:ProxyTarget"
    }
    for proxy in (r for r in resources if r.type == "aws:rds/proxy:Proxy"):
        name = str(proxy.inputs.get("name"))
        target = found.get(targets.get(name, ""))
        if target is None:
            continue
        share = percent.get(name, 100)
        limit = target.limit * share // 100
        text = f"{share}% of {target.resource.name}'s max_connections {target.limit:,}"
        found[name] = Endpoint("proxy", proxy, limit, f"{limit:,} ({text})")
        target.shares.append((f"proxy {name} (up to {share}%)", limit))
    for group in (r for r in resources if r.type == t.REPLICATION_GROUP):
        name = str(group.inputs.get("replicationGroupId"))
        text = f"maxclients {REDIS_MAXCLIENTS:,} ({group.inputs.get('nodeType')})"
        found[name] = Endpoint("redis", group, REDIS_MAXCLIENTS, text)
    return found


def pools_by_host(boot: dict[str, Any]) -> dict[str, int]:
    """Host -> SQLAlchemy pools one process opens there (app/core/db.py: the writer, each
    replica, each shard, and the shard map's own pool on shard 0)."""
    pools: dict[str, int] = {}
    db = boot.get("db")
    if not db:
        return pools
    hosts = [db["writer"], *db["readers"], *(s["host"] for s in boot.get("shards", []))]
    if boot.get("shards"):
        hosts.append(boot["shards"][0]["host"])
    for host in hosts:
        pools[host] = pools.get(host, 0) + 1
    return pools


def redis_hosts(boot: dict[str, Any]) -> list[str]:
    return [boot[k]["host"] for k in ("redis", "session_redis") if boot.get(k)]


def add_up(plan: Plan) -> dict[str, Endpoint]:
    """Every endpoint with each fleet's share at its ASG maximum."""
    found = endpoints(plan)
    for fleet in fleets(plan):
        for host, pools in pools_by_host(fleet.boot).items():
            endpoint = found.get(_first_label(host))
            if endpoint is not None:
                count = fleet.max_size * fleet.processes * pools * fleet.pool
                pool_text = f"{pools} pool{'s' if pools > 1 else ''}"
                endpoint.shares.append(
                    (
                        f"{fleet.role} {fleet.max_size} x {fleet.processes} processes x "
                        f"{pool_text} x {fleet.pool} = {count:,}",
                        count,
                    )
                )
        for host in redis_hosts(fleet.boot):
            endpoint = found.get(_redis_group(host))
            if endpoint is not None:
                count = fleet.max_size * fleet.processes * REDIS_PER_PROCESS
                endpoint.shares.append(
                    (
                        f"{fleet.role} {fleet.max_size} x {fleet.processes} processes x "
                        f"{REDIS_PER_PROCESS} = {count:,}",
                        count,
                    )
                )
    return found


def _over(endpoint: Endpoint) -> str:
    what = "Redis clients" if endpoint.kind == "redis" else "database connections"
    return (
        f"{what}: at the ASG maxima the fleets may open {endpoint.total:,} to "
        f"{endpoint.resource.name} ({endpoint.kind}), over its {endpoint.limit_text}: "
        + "; ".join(text for text, _ in endpoint.shares)
        + ". Lower the ASG maxima or database.poolSize/poolOverflow, add a proxy, or take a "
        "larger class"
    )


def connection_findings(plan: Plan) -> Iterator[Finding]:
    for endpoint in add_up(plan).values():
        if endpoint.total > endpoint.limit:
            rule = REDIS_RULE if endpoint.kind == "redis" else DB_RULE
            resource = endpoint.resource
            yield Finding(
                TOOL, rule, resource.urn, resource.name, resource.type, ERROR, _over(endpoint)
            )


def _upper_rps(text: str) -> int | None:
    numbers = [int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", text)]
    return max(numbers) if numbers else None


def rps_finding(plan: Plan) -> Iterator[Finding]:
    """Whether the web fleets at their ASG maxima serve the phase's requests per second."""
    from infra.settings.loading import phase_profiles  # the profile's capacity (informational)

    capacity = (phase_profiles().get(plan.phase) or {}).get("capacity") or {}
    wanted = _upper_rps(str(capacity.get("requestsPerSecond", "")))
    web = [f for f in fleets(plan) if f.role not in INTERNAL_ROLES]
    if wanted is None or not web:
        return
    # Phase 4 splits one request stream by path over the api fleet and the services: their
    # sum is an upper bound on what they serve together (each path has only its own fleet).
    instances = sum(f.max_size for f in web)
    serves = instances * MEASURED_RPS_PER_INSTANCE
    verdict = "covers" if serves >= wanted else "does NOT cover"
    fleets_text = ", ".join(f"{f.role} {f.max_size}" for f in web)
    group = next(r for r in plan.custom_resources() if r.type == t.AUTOSCALING_GROUP)
    yield Finding(
        TOOL,
        RPS_RULE,
        group.urn,
        group.name,
        group.type,
        INFO,
        f"phase {plan.phase} is sized for up to {wanted:,} req/s; its web fleets at their ASG "
        f"maxima ({fleets_text}: {instances} instances) x {MEASURED_RPS_PER_INSTANCE} req/s "
        f"measured per instance ({MEASURED_SOURCE}) = {serves:,} req/s: the maximum "
        f"{verdict} it",
    )


def check_capacity(plan: Plan) -> list[Finding]:
    return [*connection_findings(plan), *rps_finding(plan)]
