"""Cache: two ElastiCache Redis replication groups, encrypted both ways, tokens in secrets.

``gm-redis`` holds the query cache, index generations and the Celery broker; it evicts
(the default ``volatile-lru``) when full. ``gm-redis-sessions`` holds only sessions, with
``maxmemory-policy noeviction``: cache traffic cannot evict a session, and a full session
store refuses new logins (503) rather than logging people out. The app reads them as
``REDIS_URL`` and ``SESSION_REDIS_URL``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from infra.components.common import child, tags
from infra.components.secrets import generated_secret
from infra.naming import redis_group_id, session_group_id
from infra.settings import CacheSettings, StackTags

REDIS_ENGINE_VERSION = "7.1"
REDIS_PORT = 6379
REDIS_FAMILY = "redis7"


@dataclass(frozen=True)
class CacheArgs:
    cache: CacheSettings
    tags: StackTags
    subnet_ids: list[pulumi.Output[str]]
    redis_sg_id: pulumi.Input[str]


class Cache(pulumi.ComponentResource):
    """Query cache and, apart, sessions. One node each in phase 1; replicas with failover
    from phase 2."""

    group: aws.elasticache.ReplicationGroup
    auth_secret: aws.secretsmanager.Secret
    session_group: aws.elasticache.ReplicationGroup
    session_auth_secret: aws.secretsmanager.Secret

    def __init__(self, name: str, args: CacheArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("green-matchers:data:Cache", name, None, opts)
        stack_tags = args.tags
        cache = args.cache
        group_id = redis_group_id(stack_tags.stack)
        self.group_id = group_id
        self.nodes = cache.nodes

        subnet_group = aws.elasticache.SubnetGroup(
            f"{name}-subnets",
            subnet_ids=args.subnet_ids,
            description="Private subnets of the Green Matchers cache",
            tags=tags(stack_tags, f"{name}-subnets"),
            opts=child(self),
        )
        self.auth_secret, self.group = self._group(
            name,
            args,
            group_id=group_id,
            subnet_group=subnet_group,
            node_type=cache.node_type,
            purpose="query cache",
            parameter_group_name=f"default.{REDIS_FAMILY}",
        )
        no_eviction = aws.elasticache.ParameterGroup(
            f"{name}-sessions-params",
            family=REDIS_FAMILY,
            description="Green Matchers sessions: never evict a session to make room",
            parameters=[{"name": "maxmemory-policy", "value": "noeviction"}],
            tags=tags(stack_tags, f"{name}-sessions-params"),
            opts=child(self),
        )
        self.session_group_id = session_group_id(stack_tags.stack)
        self.session_auth_secret, self.session_group = self._group(
            f"{name}-sessions",
            args,
            group_id=self.session_group_id,
            subnet_group=subnet_group,
            node_type=cache.session_node_type,
            purpose="sessions",
            parameter_group_name=no_eviction.name,
        )
        self.register_outputs(
            {
                "primaryEndpoint": self.group.primary_endpoint_address,
                "sessionEndpoint": self.session_group.primary_endpoint_address,
            }
        )

    def _group(
        self,
        name: str,
        args: CacheArgs,
        *,
        group_id: str,
        subnet_group: aws.elasticache.SubnetGroup,
        node_type: str,
        purpose: str,
        parameter_group_name: pulumi.Input[str],
    ) -> tuple[aws.secretsmanager.Secret, aws.elasticache.ReplicationGroup]:
        """One encrypted replication group and its generated AUTH token (both protected)."""
        stack_tags = args.tags
        replicated = self.nodes >= 2
        token, secret = generated_secret(
            self,
            stack_tags,
            value_name=f"{name}-auth-token",
            secret_name=f"{name}-auth",
            field="auth_token",
            description=f"Redis AUTH token of the Green Matchers {purpose}, read at boot",
        )
        group = aws.elasticache.ReplicationGroup(
            name,
            replication_group_id=group_id,
            description=f"Green Matchers {purpose} ({stack_tags.stack})",
            engine="redis",
            engine_version=REDIS_ENGINE_VERSION,
            node_type=node_type,
            num_cache_clusters=self.nodes,
            automatic_failover_enabled=replicated,
            multi_az_enabled=replicated,
            port=REDIS_PORT,
            parameter_group_name=parameter_group_name,
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
            apply_immediately=True,  # a promotion's node type lands now, online
            tags=tags(stack_tags, group_id),
            opts=child(self, protect=True),
        )
        return secret, group

    @property
    def member_ids(self) -> list[str]:
        """Cache cluster ids ElastiCache gives the members of both groups: ``<group>-001`` ..."""
        return [
            f"{group_id}-{i:03d}"
            for group_id in (self.group_id, self.session_group_id)
            for i in range(1, self.nodes + 1)
        ]
