"""Cache: ElastiCache Redis replication group, encrypted both ways, auth token in a secret."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from infra.components.common import child, tags
from infra.components.generated_secret import generated_secret
from infra.naming import redis_group_id
from infra.settings import Settings

REDIS_ENGINE_VERSION = "7.1"
REDIS_PORT = 6379


@dataclass(frozen=True)
class CacheArgs:
    settings: Settings
    subnet_ids: list[pulumi.Output[str]]
    redis_sg_id: pulumi.Input[str]


class Cache(pulumi.ComponentResource):
    """Sessions and query cache. One node in phase 1; replicas with failover from phase 2."""

    group: aws.elasticache.ReplicationGroup
    auth_secret: aws.secretsmanager.Secret

    def __init__(self, name: str, args: CacheArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("green-matchers:data:Cache", name, None, opts)
        settings = args.settings
        cache = settings.config.cache
        group_id = redis_group_id(settings.stack)
        replicated = cache.nodes >= 2
        self.group_id = group_id
        self.nodes = cache.nodes

        token, self.auth_secret = generated_secret(
            self,
            settings,
            value_name=f"{name}-auth-token",
            secret_name=f"{name}-auth",
            field="auth_token",
            description="Redis AUTH token of the Green Matchers cache, read by instances at boot",
        )
        subnet_group = aws.elasticache.SubnetGroup(
            f"{name}-subnets",
            subnet_ids=args.subnet_ids,
            description="Private subnets of the Green Matchers cache",
            tags=tags(settings, f"{name}-subnets"),
            opts=child(self),
        )
        self.group = aws.elasticache.ReplicationGroup(
            name,
            replication_group_id=group_id,
            description=f"Green Matchers sessions and query cache ({settings.stack})",
            engine="redis",
            engine_version=REDIS_ENGINE_VERSION,
            node_type=cache.node_type,
            num_cache_clusters=cache.nodes,
            automatic_failover_enabled=replicated,
            multi_az_enabled=replicated,
            port=REDIS_PORT,
            parameter_group_name="default.redis7",
            subnet_group_name=subnet_group.name,
            security_group_ids=[args.redis_sg_id],
            at_rest_encryption_enabled=True,
            transit_encryption_enabled=True,
            transit_encryption_mode="required",
            auth_token=token.result,
            auth_token_update_strategy="ROTATE",
            snapshot_retention_limit=7,
            snapshot_window="02:00-03:00",
            maintenance_window="sun:05:30-sun:06:30",
            auto_minor_version_upgrade=True,
            apply_immediately=False,
            tags=tags(settings, group_id),
            opts=child(self, protect=True),
        )
        self.register_outputs({"primaryEndpoint": self.group.primary_endpoint_address})

    @property
    def member_ids(self) -> list[str]:
        """Cache cluster ids ElastiCache gives the members: ``<group>-001`` ..."""
        group_id = self.group_id
        return [f"{group_id}-{i:03d}" for i in range(1, self.nodes + 1)]
