"""The settings models: one section per component, each field typed with its constraint.

Field docstrings are the descriptions the README's settings reference prints
(``gm-infra docs --write``); the constraints' ``allowed`` texts are the error messages.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic.alias_generators import to_camel

from infra.settings.validators import Between, KeyedError, Matches, OneOf, Satisfies

PROJECT = "green-matchers"
PHASES = (1, 2, 3, 4)
RDS_MAX_READ_REPLICAS = 15
MAX_SHARDS = 16
SERVICE_NAMES = ("ai-ml", "auth", "matching", "analytics")
# How a fleet scales: AWS target tracking on cpuTarget (the default), or the scalability
# guide's simple policies (+1 / -1 instance on CPU alarms, 300 s cooldown).
SCALING_MODES = ("targetTracking", "simple")

# EC2 families the fleets run on: x86_64 only, because the image is Ubuntu's amd64 AMI.
EC2_TYPE = (
    r"^(t3|t3a)\.(nano|micro|small|medium|large|xlarge|2xlarge)$"
    r"|^(m5|m6i|m6a|m7i|c5|c6i|c7i|r5|r6i|r7i)\.(large|xlarge|[0-9]+xlarge)$"
)
RDS_CLASS = (
    r"^db\.(t3|t4g)\.(micro|small|medium|large|xlarge|2xlarge)$"
    r"|^db\.(m5|m6i|m6g|m7g|r5|r6i|r6g|r7g)\.(large|xlarge|[0-9]+xlarge)$"
)
CACHE_NODE_TYPE = (
    r"^cache\.(t3|t4g)\.(micro|small|medium)$"
    r"|^cache\.(m5|m6g|m7g|r5|r6g|r7g)\.(large|xlarge|[0-9]+xlarge)$"
)
ACM_ARN = r"arn:aws:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]{36}"
REGION = r"[a-z]{2}(-gov)?-[a-z]+-[0-9]"
DOMAIN = r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"


def _private_vpc_network(value: str) -> bool:
    try:
        network = ipaddress.ip_network(value, strict=True)
    except ValueError:
        return False
    return network.version == 4 and network.is_private and 16 <= network.prefixlen <= 20


VpcCidr = Annotated[
    str,
    Satisfies(_private_vpc_network, "a private IPv4 network from /16 to /20, such as 10.0.0.0/16"),
]
AzCount = Annotated[
    int, Between(2, 6, "between 2 and 6 availability zones (the ALB needs at least 2)")
]
InstanceType = Annotated[
    str,
    Matches(EC2_TYPE, "an EC2 instance type such as t3.medium or m6i.large (not db.* or cache.*)"),
]
FleetSize = Annotated[int, Between(0, 500, "a size from 0 to 500")]
CpuTarget = Annotated[int, Between(10, 90, "a CPU target from 10 to 90 percent")]
ScalingMode = Annotated[
    str,
    OneOf(
        SCALING_MODES,
        "targetTracking (AWS holds average CPU at cpuTarget) or simple (the guide's "
        "+1/-1 instance on CPU alarms over 80% / under 20%, 300 s cooldown)",
    ),
]
Percent = Annotated[int, Between(0, 100, "a percentage from 0 to 100")]
SpotPrice = Annotated[
    float, Between(0.001, 100, "a price in USD per instance-hour from 0.001 to 100 (or unset)")
]
RdsClass = Annotated[
    str,
    Matches(
        RDS_CLASS, "an RDS instance class that runs MariaDB, such as db.t3.medium or db.r6g.large"
    ),
]
ReadReplicas = Annotated[
    int,
    Between(
        0, RDS_MAX_READ_REPLICAS, f"0 to {RDS_MAX_READ_REPLICAS} read replicas (the RDS limit)"
    ),
]
Shards = Annotated[int, Between(1, MAX_SHARDS, f"1 to {MAX_SHARDS} shards")]
PoolSize = Annotated[int, Between(1, 100, "1 to 100 connections")]
PoolOverflow = Annotated[int, Between(0, 100, "0 to 100 connections")]
RetentionDays = Annotated[int, Between(7, 35, "7 to 35 days of backups")]
StorageGib = Annotated[int, Between(20, 65536, "20 to 65536 GiB")]
MariaDbVersion = Annotated[
    str,
    Matches(r"10\.11(\.\d+)?", "MariaDB 10.11 (the version the app is tested on), e.g. 10.11"),
]
CacheNodeType = Annotated[
    str,
    Matches(CACHE_NODE_TYPE, "an ElastiCache node type such as cache.t3.small or cache.r6g.large"),
]
CacheNodes = Annotated[int, Between(1, 6, "1 to 6 nodes (a primary and up to 5 replicas)")]
AcmArn = Annotated[
    str, Matches(ACM_ARN, "an ACM certificate ARN: arn:aws:acm:REGION:ACCOUNT:certificate/UUID")
]
DomainName = Annotated[str, Matches(DOMAIN, "a lower-case DNS name such as api.greenmatchers.com")]
Email = Annotated[
    str, Matches(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", "an e-mail address for alarm notifications")
]
AmiId = Annotated[str, Matches(r"ami-[0-9a-f]{8,17}", "an AMI id such as ami-0123456789abcdef0")]


class Section(BaseModel):
    """Settings sections: camelCase keys as in Pulumi config, unknown keys refused."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        frozen=True,
        use_attribute_docstrings=True,
    )


class Capacity(Section):
    """What a phase is sized for, from the scalability guide (informational)."""

    users: str
    """Users the phase is sized for, e.g. "5,000-10,000"."""
    requests_per_second: str
    """Requests per second the phase is sized for."""


class NetworkSettings(Section):
    """The VPC."""

    vpc_cidr: VpcCidr
    """The VPC's address range; subnets are carved from it per availability zone."""
    az_count: AzCount
    """Availability zones used for subnets, the ALB, RDS Multi-AZ and Redis replicas."""
    nat_gateways: Literal["single", "perAz"]
    """One NAT gateway for the VPC (cheaper) or one per zone (survives a zone outage)."""


class FleetSettings(Section):
    """An auto-scaling group: instance type, sizes and how it scales."""

    instance_type: InstanceType
    """EC2 instance type (x86_64: the image is Ubuntu's amd64 AMI)."""
    min_size: FleetSize
    """Fewest instances the group keeps."""
    desired_capacity: int
    """Instances at deploy time, between minSize and maxSize."""
    max_size: FleetSize
    """Most instances the group scales to (at least 1)."""
    cpu_target: CpuTarget = 60
    """Average CPU percent target tracking holds the fleet at."""
    scaling: ScalingMode = "targetTracking"
    """How the fleet scales (README: Fleet scaling)."""

    @model_validator(mode="after")
    def _ordered(self) -> FleetSettings:
        if self.max_size < 1:
            raise KeyedError("maxSize", self.max_size, "at least 1")
        if self.min_size > self.max_size:
            raise KeyedError("minSize", self.min_size, f"at most maxSize ({self.max_size})")
        if not self.min_size <= self.desired_capacity <= self.max_size:
            raise KeyedError(
                "desiredCapacity",
                self.desired_capacity,
                f"between minSize ({self.min_size}) and maxSize ({self.max_size})",
            )
        return self


class WorkerSettings(FleetSettings):
    """The Celery worker fleet: part on-demand, the rest on spot."""

    on_demand_base: int = 1
    """Instances always bought on demand before any spot."""
    on_demand_percent_above_base: Percent = 50
    """Percent of the instances above the base bought on demand; the rest are spot."""
    spot_max_price: SpotPrice | None = None
    """Most to pay per spot instance-hour (USD); unset: up to the on-demand price. A cap
    below the market leaves the spot share unfilled."""


class DatabaseSettings(Section):
    """RDS MariaDB: the writer of each shard and its read replicas."""

    instance_class: RdsClass
    """RDS instance class of every writer and replica."""
    allocated_storage: StorageGib
    """Initial gp3 storage per instance, GiB."""
    max_allocated_storage: int
    """Storage autoscaling ceiling, GiB (at least allocatedStorage)."""
    backup_retention_days: RetentionDays
    """Days of automated backups kept."""
    multi_az: bool
    """A standby in a second zone for each writer."""
    read_replicas: ReadReplicas
    """Read replicas per shard (from phase 2)."""
    shards: Shards
    """Writers the users are spread over by user_id % shards (from phase 3)."""
    proxy: bool
    """An RDS Proxy in front of each shard's writer."""
    pool_size: PoolSize
    """Connections each app process keeps per database it opens (DB_POOL_SIZE)."""
    pool_overflow: PoolOverflow
    """Connections each app process may open above poolSize per database (DB_MAX_OVERFLOW);
    gm-infra validate adds them up over every fleet at its ASG maximum."""
    engine_version: MariaDbVersion = "10.11"
    """MariaDB engine version."""

    @model_validator(mode="after")
    def _storage_ceiling(self) -> DatabaseSettings:
        if self.max_allocated_storage < self.allocated_storage:
            raise KeyedError(
                "maxAllocatedStorage",
                self.max_allocated_storage,
                f"at least allocatedStorage ({self.allocated_storage})",
            )
        return self


class CacheSettings(Section):
    """ElastiCache Redis: the query cache group and the sessions group."""

    node_type: CacheNodeType
    """Node type of the query cache (also the Celery broker)."""
    nodes: CacheNodes
    """Nodes per group: a primary and its replicas (2 or more from phase 2)."""
    session_node_type: CacheNodeType = "cache.t3.small"
    """Node type of the sessions group (noeviction, same node count): sessions are small keys."""


class CdnSettings(Section):
    """CloudFront."""

    price_class: Literal["PriceClass_100", "PriceClass_200", "PriceClass_All"]
    """Edge locations served: PriceClass_100 (North America, Europe) up to PriceClass_All."""


class StackConfig(Section):
    """The ``green-matchers:*`` keys of a stack, merged over the phase profile."""

    name: str
    """The phase's name (from the profile)."""
    capacity: Capacity
    """What the phase is sized for (from the profile)."""
    network: NetworkSettings
    """The VPC."""
    api: FleetSettings
    """The API servers behind the ALB."""
    workers: WorkerSettings | None
    """The Celery workers (from phase 2)."""
    services: FleetSettings | None
    """Each of the phase-4 services: ai-ml, auth, matching, analytics."""
    database: DatabaseSettings
    """RDS MariaDB."""
    cache: CacheSettings
    """ElastiCache Redis."""
    cdn: CdnSettings
    """CloudFront."""
    sticky_sessions: bool
    """ALB cookie stickiness (one hour) on the API target groups."""
    domain: DomainName | None = None
    """The platform's DNS name; needed by both certificates."""
    certificate_arn: AcmArn | None = None
    """ACM certificate in the stack's region: the ALB's HTTPS listener, HTTP redirected, and
    an HTTPS-only CloudFront origin at origin.<domain> (a DNS record you point at the ALB)."""
    cdn_certificate_arn: AcmArn | None = None
    """ACM certificate in us-east-1: the name CloudFront serves, with TLSv1.2_2021."""
    alarm_email: Email | None = None
    """Where alarm notifications are e-mailed (the SNS subscription needs confirming)."""
    ami_id: AmiId | None = None
    """Pinned image; unset: the current Ubuntu 24.04 amd64 AMI from SSM on each deploy."""


class StackTags(BaseModel):
    """The project and stack every resource is tagged, and physically named, with."""

    model_config = ConfigDict(frozen=True)

    project: str
    stack: str


class Settings(BaseModel):
    """The validated settings of one stack: what the program builds from."""

    model_config = ConfigDict(frozen=True)

    project: str
    stack: str
    phase: int
    region: str
    config: StackConfig

    @property
    def tags(self) -> StackTags:
        return StackTags(project=self.project, stack=self.stack)

    @property
    def https(self) -> bool:
        return self.config.certificate_arn is not None

    @property
    def sharded(self) -> bool:
        return self.config.database.shards > 1
