"""Settings: a stack's config merged over its phase profile, validated once.

Everything downstream reads ``Settings``; nothing reads ``pulumi.Config``. A bad value
fails here with a ``SettingsError`` naming the key, the value and what is allowed,
before any resource is declared.
"""

from __future__ import annotations

import ipaddress
import re
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator
from pydantic.alias_generators import to_camel

from infra.errors import SettingsError

PROJECT = "green-matchers"
PROFILES_FILE = Path(__file__).parent / "phases" / "profiles.yaml"
PHASES = (1, 2, 3, 4)
RDS_MAX_READ_REPLICAS = 15
MAX_SHARDS = 16
SERVICE_NAMES = ("ai-ml", "auth", "matching", "analytics")
# How a fleet scales: AWS target tracking on cpuTarget (the default), or the scalability
# guide's simple policies (+1 / -1 instance on CPU alarms, 300 s cooldown).
SCALING_MODES = ("targetTracking", "simple")

# EC2 families the fleets run on: x86_64 only, because the image is Ubuntu's amd64 AMI.
EC2_TYPE = re.compile(
    r"^(t3|t3a)\.(nano|micro|small|medium|large|xlarge|2xlarge)$"
    r"|^(m5|m6i|m6a|m7i|c5|c6i|c7i|r5|r6i|r7i)\.(large|xlarge|[0-9]+xlarge)$"
)
RDS_CLASS = re.compile(
    r"^db\.(t3|t4g)\.(micro|small|medium|large|xlarge|2xlarge)$"
    r"|^db\.(m5|m6i|m6g|m7g|r5|r6i|r6g|r7g)\.(large|xlarge|[0-9]+xlarge)$"
)
CACHE_NODE_TYPE = re.compile(
    r"^cache\.(t3|t4g)\.(micro|small|medium)$"
    r"|^cache\.(m5|m6g|m7g|r5|r6g|r7g)\.(large|xlarge|[0-9]+xlarge)$"
)
ACM_ARN = re.compile(r"^arn:aws:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]{36}$")
REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-[0-9]$")
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class _Model(BaseModel):
    """Settings sections: camelCase keys as in Pulumi config, unknown keys refused."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True
    )


class Capacity(_Model):
    users: str
    requests_per_second: str


class NetworkSettings(_Model):
    vpc_cidr: str
    az_count: int
    nat_gateways: Literal["single", "perAz"]

    @field_validator("az_count")
    @classmethod
    def _az_count(cls, value: int) -> int:
        if not 2 <= value <= 6:
            raise ValueError("between 2 and 6 availability zones (the ALB needs at least 2)")
        return value

    @field_validator("vpc_cidr")
    @classmethod
    def _vpc_cidr(cls, value: str) -> str:
        allowed = "a private IPv4 network from /16 to /20, such as 10.0.0.0/16"
        try:
            network = ipaddress.ip_network(value, strict=True)
        except ValueError:
            raise ValueError(allowed) from None
        if network.version != 4 or not network.is_private or not 16 <= network.prefixlen <= 20:
            raise ValueError(allowed)
        return value


class FleetSettings(_Model):
    """An auto-scaling group: instance type and sizes."""

    instance_type: str
    min_size: int
    desired_capacity: int
    max_size: int
    cpu_target: int = 60
    scaling: str = "targetTracking"

    @field_validator("instance_type")
    @classmethod
    def _instance_type(cls, value: str) -> str:
        if not EC2_TYPE.match(value):
            raise ValueError(
                "an EC2 instance type such as t3.medium or m6i.large (not db.* or cache.*)"
            )
        return value

    @field_validator("min_size", "max_size")
    @classmethod
    def _sizes(cls, value: int) -> int:
        if not 0 <= value <= 500:
            raise ValueError("a size from 0 to 500")
        return value

    @field_validator("cpu_target")
    @classmethod
    def _cpu_target(cls, value: int) -> int:
        if not 10 <= value <= 90:
            raise ValueError("a CPU target from 10 to 90 percent")
        return value

    @field_validator("scaling")
    @classmethod
    def _scaling(cls, value: str) -> str:
        if value not in SCALING_MODES:
            raise ValueError(
                "targetTracking (AWS holds average CPU at cpuTarget) or simple (the guide's "
                "+1/-1 instance on CPU alarms over 80% / under 20%, 300 s cooldown)"
            )
        return value

    @model_validator(mode="after")
    def _ordered(self) -> FleetSettings:
        if self.max_size < 1:
            raise _KeyedError("maxSize", self.max_size, "at least 1")
        if self.min_size > self.max_size:
            raise _KeyedError("minSize", self.min_size, f"at most maxSize ({self.max_size})")
        if not self.min_size <= self.desired_capacity <= self.max_size:
            raise _KeyedError(
                "desiredCapacity",
                self.desired_capacity,
                f"between minSize ({self.min_size}) and maxSize ({self.max_size})",
            )
        return self


class WorkerSettings(FleetSettings):
    """The Celery worker fleet: part on-demand, the rest on spot."""

    on_demand_base: int = 1
    on_demand_percent_above_base: int = 50
    # The most to pay per spot instance-hour (USD), e.g. the seed's 0.05; None: up to the
    # on-demand price (AWS's default). A cap below the market leaves the spot share unfilled.
    spot_max_price: float | None = None

    @field_validator("spot_max_price")
    @classmethod
    def _max_price(cls, value: float | None) -> float | None:
        if value is not None and not 0.001 <= value <= 100:
            raise ValueError("a price in USD per instance-hour from 0.001 to 100 (or unset)")
        return value

    @field_validator("on_demand_percent_above_base")
    @classmethod
    def _percent(cls, value: int) -> int:
        if not 0 <= value <= 100:
            raise ValueError("a percentage from 0 to 100")
        return value


class DatabaseSettings(_Model):
    instance_class: str
    allocated_storage: int
    max_allocated_storage: int
    backup_retention_days: int
    multi_az: bool
    read_replicas: int
    shards: int
    proxy: bool
    engine_version: str = "10.11"

    @field_validator("instance_class")
    @classmethod
    def _instance_class(cls, value: str) -> str:
        if not RDS_CLASS.match(value):
            raise ValueError(
                "an RDS instance class that runs MariaDB, such as db.t3.medium or db.r6g.large"
            )
        return value

    @field_validator("read_replicas")
    @classmethod
    def _replicas(cls, value: int) -> int:
        if not 0 <= value <= RDS_MAX_READ_REPLICAS:
            raise ValueError(f"0 to {RDS_MAX_READ_REPLICAS} read replicas (the RDS limit)")
        return value

    @field_validator("shards")
    @classmethod
    def _shards(cls, value: int) -> int:
        if not 1 <= value <= MAX_SHARDS:
            raise ValueError(f"1 to {MAX_SHARDS} shards")
        return value

    @field_validator("backup_retention_days")
    @classmethod
    def _retention(cls, value: int) -> int:
        if not 7 <= value <= 35:
            raise ValueError("7 to 35 days of backups")
        return value

    @field_validator("allocated_storage")
    @classmethod
    def _storage(cls, value: int) -> int:
        if not 20 <= value <= 65536:
            raise ValueError("20 to 65536 GiB")
        return value

    @field_validator("engine_version")
    @classmethod
    def _engine_version(cls, value: str) -> str:
        if not re.fullmatch(r"10\.11(\.\d+)?", value):
            raise ValueError("MariaDB 10.11 (the version the app is tested on), e.g. 10.11")
        return value

    @model_validator(mode="after")
    def _storage_ceiling(self) -> DatabaseSettings:
        if self.max_allocated_storage < self.allocated_storage:
            raise _KeyedError(
                "maxAllocatedStorage",
                self.max_allocated_storage,
                f"at least allocatedStorage ({self.allocated_storage})",
            )
        return self


class CacheSettings(_Model):
    node_type: str
    nodes: int
    # Sessions have their own replication group (noeviction, same node count): small keys.
    session_node_type: str = "cache.t3.small"

    @field_validator("node_type", "session_node_type")
    @classmethod
    def _node_type(cls, value: str) -> str:
        if not CACHE_NODE_TYPE.match(value):
            raise ValueError("an ElastiCache node type such as cache.t3.small or cache.r6g.large")
        return value

    @field_validator("nodes")
    @classmethod
    def _nodes(cls, value: int) -> int:
        if not 1 <= value <= 6:
            raise ValueError("1 to 6 nodes (a primary and up to 5 replicas)")
        return value


class CdnSettings(_Model):
    price_class: Literal["PriceClass_100", "PriceClass_200", "PriceClass_All"]


class StackConfig(_Model):
    """The ``green-matchers:*`` keys of a stack, merged over the phase profile."""

    name: str
    capacity: Capacity
    network: NetworkSettings
    api: FleetSettings
    workers: WorkerSettings | None
    services: FleetSettings | None
    database: DatabaseSettings
    cache: CacheSettings
    cdn: CdnSettings
    sticky_sessions: bool
    domain: str | None = None
    certificate_arn: str | None = None
    cdn_certificate_arn: str | None = None
    alarm_email: str | None = None
    ami_id: str | None = None

    @field_validator("certificate_arn", "cdn_certificate_arn")
    @classmethod
    def _acm_arn(cls, value: str | None) -> str | None:
        if value is not None and not ACM_ARN.match(value):
            raise ValueError("an ACM certificate ARN: arn:aws:acm:REGION:ACCOUNT:certificate/UUID")
        return value

    @field_validator("domain")
    @classmethod
    def _domain(cls, value: str | None) -> str | None:
        if value is not None and not DOMAIN.match(value):
            raise ValueError("a lower-case DNS name such as api.greenmatchers.com")
        return value

    @field_validator("alarm_email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", value):
            raise ValueError("an e-mail address for alarm notifications")
        return value

    @field_validator("ami_id")
    @classmethod
    def _ami(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"ami-[0-9a-f]{8,17}", value):
            raise ValueError("an AMI id such as ami-0123456789abcdef0")
        return value


class Settings(BaseModel):
    """The validated settings of one stack: what the program builds from."""

    model_config = ConfigDict(frozen=True)

    project: str
    stack: str
    phase: int
    region: str
    config: StackConfig

    @property
    def https(self) -> bool:
        return self.config.certificate_arn is not None

    @property
    def sharded(self) -> bool:
        return self.config.database.shards > 1


class _KeyedError(ValueError):
    """A cross-field error that names its own key inside the section."""

    def __init__(self, key: str, value: object, allowed: str):
        super().__init__(allowed)
        self.key = key
        self.value = value
        self.allowed = allowed


@cache
def phase_profiles() -> dict[int, dict[str, Any]]:
    """The phase profiles as loaded from ``phases/profiles.yaml``."""
    data = yaml.safe_load(PROFILES_FILE.read_text())
    return {int(phase): profile for phase, profile in data.items()}


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _parse_value(value: Any) -> Any:
    """Pulumi hands structured config to programs as JSON strings; accept both forms."""
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return yaml.safe_load(value)
        except yaml.YAMLError:
            return value
    return value


def _phase_of(raw: Any) -> int:
    key = f"{PROJECT}:phase"
    if raw is None:
        raise SettingsError(key, None, "a phase from 1 to 4 must be set", hint=_STACK_HINT)
    try:
        phase = int(str(raw))
    except ValueError:
        raise SettingsError(key, raw, "phases run from 1 to 4") from None
    if phase not in PHASES:
        raise SettingsError(key, phase, "phases run from 1 to 4")
    return phase


_STACK_HINT = "each stack's infra/stacks/Pulumi.<stack>.yaml sets green-matchers:phase"
_TOP_LEVEL_KEYS = (
    "phase",
    *(to_camel(name) for name in StackConfig.model_fields if name not in ("name", "capacity")),
)


def settings_from_config(stack: str, config: dict[str, Any]) -> Settings:
    """Build Settings from a stack's namespaced config map (``green-matchers:api`` ...)."""
    own: dict[str, Any] = {}
    region: str | None = None
    for full_key, raw in config.items():
        namespace, _, key = full_key.partition(":")
        if not key:
            raise SettingsError(
                full_key, raw, "config keys are namespaced, e.g. green-matchers:api"
            )
        if namespace == "aws":
            if key == "region":
                region = str(raw)
            continue
        if namespace != PROJECT:
            continue
        if key not in _TOP_LEVEL_KEYS:
            raise SettingsError(
                full_key, _parse_value(raw), f"known keys are {', '.join(sorted(_TOP_LEVEL_KEYS))}"
            )
        own[key] = _parse_value(raw)

    phase = _phase_of(own.pop("phase", None))
    if region is None or not REGION.match(region):
        raise SettingsError("aws:region", region, "an AWS region such as us-east-1")

    profile = phase_profiles()[phase]
    merged = _deep_merge(profile, own)
    for section in ("workers", "services"):
        if own.get(section) is not None and profile.get(section) is None:
            raise SettingsError(
                f"{PROJECT}:{section}",
                own[section],
                f"{section} start in phase {2 if section == 'workers' else 4}",
            )
    try:
        stack_config = StackConfig.model_validate(merged)
    except ValidationError as error:
        raise _settings_error(error, merged) from None
    _check_phase_rules(phase, stack_config)
    _check_certificates(region, stack_config)
    settings = Settings(
        project=PROJECT, stack=stack, phase=phase, region=region, config=stack_config
    )
    # Imported here: the budget renders user data, which needs these Settings first.
    from infra.userdata_budget import check_user_data_budget

    check_user_data_budget(settings)
    return settings


def _check_phase_rules(phase: int, config: StackConfig) -> None:
    """Rules that tie a setting to the phase it runs in."""
    db = config.database
    if db.shards > 1 and phase < 3:
        raise SettingsError(
            f"{PROJECT}:database.shards", db.shards, "sharding starts in phase 3; use 1 before"
        )
    if db.read_replicas > 0 and phase < 2:
        raise SettingsError(
            f"{PROJECT}:database.readReplicas",
            db.read_replicas,
            "read replicas start in phase 2; use 0 in phase 1",
        )
    if phase >= 2 and config.cache.nodes < 2:
        raise SettingsError(
            f"{PROJECT}:cache.nodes",
            config.cache.nodes,
            "2 or more from phase 2 (automatic failover needs a replica)",
        )
    if phase >= 2 and config.api.min_size < 2:
        raise SettingsError(
            f"{PROJECT}:api.minSize",
            config.api.min_size,
            "2 or more from phase 2 (horizontal scaling keeps two servers up)",
        )


def _check_certificates(region: str, config: StackConfig) -> None:
    """Certificates must sit where AWS looks for them and name the domain they serve."""
    if config.certificate_arn is not None:
        if config.domain is None:
            raise SettingsError(
                f"{PROJECT}:certificateArn",
                config.certificate_arn,
                "only with green-matchers:domain (CloudFront reaches the ALB as origin.<domain>)",
            )
        cert_region = config.certificate_arn.split(":")[3]
        if cert_region != region:
            raise SettingsError(
                f"{PROJECT}:certificateArn",
                config.certificate_arn,
                f"an ACM certificate in the stack's region {region} (the ALB's)",
            )
    if config.cdn_certificate_arn is not None:
        if config.domain is None:
            raise SettingsError(
                f"{PROJECT}:cdnCertificateArn",
                config.cdn_certificate_arn,
                "only with green-matchers:domain (the name CloudFront serves)",
            )
        if config.cdn_certificate_arn.split(":")[3] != "us-east-1":
            raise SettingsError(
                f"{PROJECT}:cdnCertificateArn",
                config.cdn_certificate_arn,
                "an ACM certificate in us-east-1 (CloudFront only reads certificates there)",
            )


def _settings_error(error: ValidationError, merged: dict[str, Any]) -> SettingsError:
    first = error.errors()[0]
    path = [str(part) for part in first["loc"]]
    ctx_error = (first.get("ctx") or {}).get("error")
    if isinstance(ctx_error, _KeyedError):
        path = [*path, ctx_error.key]
        return SettingsError(f"{PROJECT}:{'.'.join(path)}", ctx_error.value, ctx_error.allowed)
    value = first.get("input")
    message = str(first["msg"]).removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        section = _section_model(path[:-1])
        known = ", ".join(sorted(to_camel(n) for n in section.model_fields)) if section else ""
        message = f"unknown key; known keys here are {known}"
    elif first["type"] == "missing":
        value = None
        message = "this key is required"
    return SettingsError(f"{PROJECT}:{'.'.join(path)}", value, message)


def _section_model(path: list[str]) -> type[BaseModel] | None:
    model: type[BaseModel] = StackConfig
    for part in path:
        field = next(
            (f for n, f in model.model_fields.items() if to_camel(n) == part or n == part), None
        )
        if field is None:
            return None
        annotation = field.annotation
        candidates = [a for a in getattr(annotation, "__args__", (annotation,)) if a is not None]
        found = next(
            (c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None
        )
        if found is None:
            return None
        model = found
    return model
