"""The Plan's parameter groups as settings of the local ``mariadbd`` and ``redis-server``.

What passes locally must pass on RDS and ElastiCache, so the stack's servers take every
parameter of the Plan's groups that changes what a query or a command does (character
set and collation above all), plus the RDS / ElastiCache defaults the Plan relies on
without setting them (UTC time zone, MariaDB's strict ``sql_mode``, ``max_connections``
from memory, the default group's ``volatile-lru``). Each parameter is reported as applied
(with the option used) or not (with the reason), and an unknown one is reported too, so a
parameter added to the program is never silently dropped here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from infra.plan.model import Plan

RDS_PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup"
CACHE_PARAMETER_GROUP = "aws:elasticache/parameterGroup:ParameterGroup"
CACHE_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"

# mariadbd options for the Plan's parameters, by RDS name.
MARIADB_OPTIONS = {
    "character_set_server": "--character-set-server",
    "collation_server": "--collation-server",
    "query_cache_type": "--query-cache-type",
    "query_cache_size": "--query-cache-size",
    "query_cache_limit": "--query-cache-limit",
    "slow_query_log": "--slow-query-log",
    "long_query_time": "--long-query-time",
    "log_output": "--log-output",
    "sql_mode": "--sql-mode",
    "time_zone": "--default-time-zone",
    "max_connections": "--max-connections",
}
MARIADB_NOT_APPLIED = {
    "require_secure_transport": (
        "the local server listens on 127.0.0.1 only and has no certificate; the deployed "
        "app's TLS to RDS is rendered and tested with the user data"
    ),
}
# What RDS for MariaDB 10.11 uses when the group does not say (RDS's default parameter
# group: the engine's sql_mode, time_zone UTC, max_connections {DBInstanceClassMemory/12582880}).
RDS_DEFAULT_SQL_MODE = (
    "STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION"
)
RDS_DEFAULT_TIME_ZONE = "+00:00"  # RDS runs MariaDB in UTC
RDS_CONNECTION_BYTES = 12582880
MIN_LOCAL_CONNECTIONS = 500  # five services with their pools, and the migrations

# ElastiCache's default.redis7 group evicts keys that have an expiry, least recently used first.
ELASTICACHE_DEFAULT_POLICY = "volatile-lru"
REDIS_OPTIONS = {"maxmemory-policy"}
LOCAL_CACHE_MAXMEMORY = "256mb"  # so the eviction policy is ever reached here


@dataclass(frozen=True)
class Parameter:
    name: str
    value: str
    source: str  # "plan" (the group sets it) or "default" (RDS / ElastiCache default)
    option: str | None  # the local server's option, None when not applied
    reason: str = ""  # why not applied

    @property
    def applied(self) -> bool:
        return self.option is not None

    def describe(self) -> str:
        where = "" if self.source == "plan" else f" ({self.source})"
        if self.applied:
            return f"{self.name}={self.value}{where}"
        return f"{self.name}={self.value}{where} NOT applied: {self.reason}"


@dataclass(frozen=True)
class LocalParameters:
    mariadb: tuple[Parameter, ...]
    redis_cache: tuple[Parameter, ...]
    redis_sessions: tuple[Parameter, ...]

    def mariadb_args(self, folder: Path) -> list[str]:
        """mariadbd's command-line options; the slow log goes to a file in ``folder``."""
        args = [f"{p.option}={p.value}" for p in self.mariadb if p.option]
        if any(p.name == "slow_query_log" and p.applied for p in self.mariadb):
            args.append(f"--slow-query-log-file={folder / 'slow.log'}")
        return args

    @property
    def charset(self) -> str:
        return next((p.value for p in self.mariadb if p.name == "character_set_server"), "")

    @property
    def collation(self) -> str:
        return next((p.value for p in self.mariadb if p.name == "collation_server"), "")

    def report(self) -> list[str]:
        """One line per server: what it takes from the Plan and what not."""
        return [
            "mariadb takes " + "; ".join(p.describe() for p in self.mariadb),
            "redis (cache) takes " + "; ".join(p.describe() for p in self.redis_cache),
            "redis (sessions) takes " + "; ".join(p.describe() for p in self.redis_sessions),
        ]


def machine_memory_bytes() -> int:
    """MemTotal of this machine (``/proc/meminfo``)."""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("/proc/meminfo has no MemTotal")


def scaled_max_connections(memory_bytes: int) -> int:
    """RDS's formula on this machine's memory, at least what the local services need."""
    return max(MIN_LOCAL_CONNECTIONS, memory_bytes // RDS_CONNECTION_BYTES)


def _mariadb(plan: Plan, memory_bytes: int) -> tuple[Parameter, ...]:
    groups = plan.of_type(RDS_PARAMETER_GROUP)
    if len(groups) != 1:
        raise ValueError(
            f"the plan of {plan.stack} has {len(groups)} RDS parameter groups; "
            "the local stack needs exactly one"
        )
    found: dict[str, str] = {
        str(item["name"]): str(item["value"]) for item in groups[0].inputs.get("parameters") or []
    }
    parameters = []
    for name, value in found.items():
        if name in MARIADB_OPTIONS:
            parameters.append(Parameter(name, value, "plan", MARIADB_OPTIONS[name]))
        else:
            reason = MARIADB_NOT_APPLIED.get(name, "not known to the local stack")
            parameters.append(Parameter(name, value, "plan", None, reason))
    defaults = {
        "sql_mode": RDS_DEFAULT_SQL_MODE,
        "time_zone": RDS_DEFAULT_TIME_ZONE,
        "max_connections": str(scaled_max_connections(memory_bytes)),
    }
    for name, value in defaults.items():
        if name not in found:
            source = (
                "RDS default, scaled to this machine"
                if name == "max_connections"
                else ("RDS default")
            )
            parameters.append(Parameter(name, value, source, MARIADB_OPTIONS[name]))
    return tuple(parameters)


def _redis(plan: Plan, purpose: str) -> tuple[Parameter, ...]:
    """The replication group tagged for ``purpose``: its own group's parameters, or the
    ElastiCache default group's eviction policy when it uses ``default.*``."""
    groups = [
        g
        for g in plan.of_type(CACHE_GROUP)
        if str(g.inputs.get("description", "")).startswith(f"Green Matchers {purpose} (")
    ]
    if len(groups) != 1:
        raise ValueError(f"the plan of {plan.stack} has {len(groups)} {purpose} Redis groups")
    name = groups[0].inputs.get("parameterGroupName")
    if isinstance(name, str) and name.startswith("default."):
        return (
            Parameter(
                "maxmemory-policy",
                ELASTICACHE_DEFAULT_POLICY,
                f"ElastiCache {name}",
                "maxmemory-policy",
            ),
        )
    owners = [p for p in plan.of_type(CACHE_PARAMETER_GROUP) if p.urn in groups[0].dependencies]
    if len(owners) != 1:
        raise ValueError(f"the {purpose} Redis group of {plan.stack} has no single parameter group")
    parameters = []
    for item in owners[0].inputs.get("parameters") or []:
        key, value = str(item["name"]), str(item["value"])
        if key in REDIS_OPTIONS:
            parameters.append(Parameter(key, value, "plan", key))
        else:
            parameters.append(Parameter(key, value, "plan", None, "not known to the local stack"))
    return tuple(parameters)


def local_parameters(plan: Plan, memory_bytes: int | None = None) -> LocalParameters:
    """The settings the local servers take from ``plan``."""
    memory = machine_memory_bytes() if memory_bytes is None else memory_bytes
    return LocalParameters(
        mariadb=_mariadb(plan, memory),
        redis_cache=_redis(plan, "query cache"),
        redis_sessions=_redis(plan, "sessions"),
    )
