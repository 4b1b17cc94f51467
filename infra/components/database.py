"""Database: RDS MariaDB 10.11, read replicas from phase 2, shards and RDS Proxy from phase 3."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from infra.components.common import child, tags
from infra.components.iam import arn_region_account, assume_role_policy
from infra.components.secrets import generated_secret
from infra.naming import db_identifier, physical_prefix
from infra.phases import PROXY_IDLE_CLIENT_TIMEOUT_S
from infra.settings import DatabaseSettings, StackTags

DB_NAME = "green_matchers"
MASTER_USERNAME = "gm_admin"
MASTER_PASSWORD_LENGTH = 40  # RDS for MariaDB takes 8 to 41 characters
PARAMETER_FAMILY = "mariadb10.11"
# The source document's "enable database query caching", plus TLS required in transit.
PARAMETERS: dict[str, str] = {
    "query_cache_type": "1",
    "query_cache_size": "67108864",
    "query_cache_limit": "2097152",
    # 1, not ON: the same to MariaDB, and the spelling checkov's CKV2_AWS_69 recognises.
    "require_secure_transport": "1",
    "character_set_server": "utf8mb4",
    "collation_server": "utf8mb4_unicode_ci",
    "slow_query_log": "1",
    "long_query_time": "1",
    # The slow log goes to a file, which RDS publishes to CloudWatch Logs (the "slowquery"
    # export); with log_output=TABLE (the RDS default) the export would stay empty.
    "log_output": "FILE",
}
STATIC_PARAMETERS = {"query_cache_type"}


# RDS for MariaDB has no Performance Insights on these classes (AWS: "DB engine, Region, and
# instance class support for Database Insights").
NO_PERFORMANCE_INSIGHTS = frozenset(
    {"db.t2.micro", "db.t2.small", "db.t3.micro", "db.t3.small", "db.t4g.micro", "db.t4g.small"}
)
FREE_PI_RETENTION_DAYS = 7  # the free tier; longer retention is billed


def performance_insights(instance_class: str) -> tuple[bool, int | None]:
    """(enabled, retention days): Performance Insights (query load by SQL statement) with the
    free 7-day retention where the instance class supports it; off where it does not."""
    if instance_class in NO_PERFORMANCE_INSIGHTS:
        return False, None
    return True, FREE_PI_RETENTION_DAYS


def proxy_trust(secret_arn: str) -> str:
    """RDS may assume a proxy's role only for this account's proxies."""
    region, account = arn_region_account(secret_arn)
    return assume_role_policy(
        "rds.amazonaws.com", account, f"arn:aws:rds:{region}:{account}:db-proxy:*"
    )


def proxy_secret_policy(secret_arn: str) -> str:
    """A proxy reads the one secret it authenticates with (RDS User Guide, RDS Proxy)."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "ReadShardCredentials",
                    "Effect": "Allow",
                    "Action": ["secretsmanager:GetSecretValue"],
                    "Resource": [secret_arn],
                }
            ],
        },
        sort_keys=True,
    )


@dataclass(frozen=True)
class DatabaseArgs:
    database: DatabaseSettings
    tags: StackTags
    subnet_ids: list[pulumi.Output[str]]
    db_sg_id: pulumi.Input[str]
    proxy_sg_id: pulumi.Input[str] | None = None


@dataclass
class Shard:
    """One shard's writer and its read replicas (shard 0 is the phase-1 database)."""

    index: int
    primary: aws.rds.Instance
    secret: aws.secretsmanager.Secret
    replicas: list[aws.rds.Instance] = field(default_factory=list)
    proxy: aws.rds.Proxy | None = None

    @property
    def secret_arn(self) -> pulumi.Output[str]:
        """The master credentials as ``{"username", "password"}`` (RDS Proxy's format)."""
        return self.secret.arn

    @property
    def writer_host(self) -> pulumi.Output[str]:
        """Where the app writes: the proxy when there is one, else the instance."""
        return self.proxy.endpoint if self.proxy is not None else self.primary.address


class Database(pulumi.ComponentResource):
    """Writers, replicas and proxies; every instance is protected and never replaced."""

    shards: list[Shard]

    def __init__(self, name: str, args: DatabaseArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("green-matchers:data:Database", name, None, opts)
        stack_tags = args.tags
        db = args.database
        self.subnet_group = aws.rds.SubnetGroup(
            f"{name}-subnets",
            subnet_ids=args.subnet_ids,
            description="Private subnets of the Green Matchers databases",
            tags=tags(stack_tags, f"{name}-subnets"),
            opts=child(self),
        )
        self.parameter_group = aws.rds.ParameterGroup(
            f"{name}-params",
            family=PARAMETER_FAMILY,
            description="MariaDB 10.11: query cache on, TLS required",
            parameters=[
                {
                    "name": key,
                    "value": value,
                    "apply_method": "pending-reboot" if key in STATIC_PARAMETERS else "immediate",
                }
                for key, value in PARAMETERS.items()
            ],
            tags=tags(stack_tags, f"{name}-params"),
            opts=child(self),
        )
        self.shards = []
        for index in range(db.shards):
            # Shard 0 keeps the phase-1 database's resource name, so its URN never changes.
            resource = name if index == 0 else f"{name}-shard-{index}"
            # Our own secret, not RDS-managed: RDS refuses read replicas of an instance whose
            # master password it manages, and its 7-day rotation would strand booted instances.
            password, secret = generated_secret(
                self,
                stack_tags,
                value_name=f"{resource}-master-password",
                secret_name=f"{resource}-master",
                field="password",
                fixed={"username": MASTER_USERNAME},
                length=MASTER_PASSWORD_LENGTH,
                description=f"Master credentials of {db_identifier(stack_tags.stack, index)}",
            )
            primary = self._writer(
                resource, db_identifier(stack_tags.stack, index), args, password.result
            )
            shard = Shard(index=index, primary=primary, secret=secret)
            for replica in range(1, db.read_replicas + 1):
                shard.replicas.append(
                    self._replica(
                        f"{resource}-replica-{replica}",
                        db_identifier(stack_tags.stack, index, replica),
                        primary,
                        args,
                    )
                )
            self.shards.append(shard)
        if db.proxy:
            if args.proxy_sg_id is None:
                raise ValueError("database.proxy needs a proxy security group")
            self._proxies(name, args, args.proxy_sg_id)

        self.register_outputs(
            {
                "writerEndpoints": [s.primary.address for s in self.shards],
                "readerEndpoints": [r.address for s in self.shards for r in s.replicas],
            }
        )

    @property
    def primary(self) -> aws.rds.Instance:
        return self.shards[0].primary

    def _writer(
        self,
        resource: str,
        identifier: str,
        args: DatabaseArgs,
        password: pulumi.Input[str],
    ) -> aws.rds.Instance:
        stack_tags = args.tags
        db = args.database
        return aws.rds.Instance(
            resource,
            identifier=identifier,
            engine="mariadb",
            engine_version=db.engine_version,
            instance_class=db.instance_class,
            allocated_storage=db.allocated_storage,
            max_allocated_storage=db.max_allocated_storage,
            storage_type="gp3",
            storage_encrypted=True,
            publicly_accessible=False,
            deletion_protection=True,
            multi_az=db.multi_az,
            db_name=DB_NAME,
            username=MASTER_USERNAME,
            password=password,
            db_subnet_group_name=self.subnet_group.name,
            vpc_security_group_ids=[args.db_sg_id],
            parameter_group_name=self.parameter_group.name,
            backup_retention_period=db.backup_retention_days,
            backup_window="03:00-04:00",
            maintenance_window="sun:04:30-sun:05:30",
            copy_tags_to_snapshot=True,
            skip_final_snapshot=False,
            final_snapshot_identifier=f"{identifier}-final",
            auto_minor_version_upgrade=True,
            apply_immediately=True,  # a promotion's change lands now (README: Inside the promotion)
            ca_cert_identifier="rds-ca-rsa2048-g1",
            enabled_cloudwatch_logs_exports=["error", "slowquery"],
            performance_insights_enabled=performance_insights(db.instance_class)[0],
            performance_insights_retention_period=performance_insights(db.instance_class)[1],
            tags=tags(stack_tags, identifier, Role="writer"),
            opts=child(self, protect=True),
        )

    def _replica(
        self, resource: str, identifier: str, source: aws.rds.Instance, args: DatabaseArgs
    ) -> aws.rds.Instance:
        stack_tags = args.tags
        db = args.database
        return aws.rds.Instance(
            resource,
            identifier=identifier,
            replicate_source_db=source.identifier,
            instance_class=db.instance_class,
            # A replica grows like its writer, or it fills up and stops replicating.
            max_allocated_storage=db.max_allocated_storage,
            storage_type="gp3",
            storage_encrypted=True,
            publicly_accessible=False,
            deletion_protection=True,
            vpc_security_group_ids=[args.db_sg_id],
            parameter_group_name=self.parameter_group.name,
            backup_retention_period=db.backup_retention_days,
            skip_final_snapshot=True,
            auto_minor_version_upgrade=True,
            apply_immediately=True,  # a promotion's change lands now (README: Inside the promotion)
            ca_cert_identifier="rds-ca-rsa2048-g1",
            performance_insights_enabled=performance_insights(db.instance_class)[0],
            performance_insights_retention_period=performance_insights(db.instance_class)[1],
            tags=tags(stack_tags, identifier, Role="reader"),
            opts=child(self, protect=True),
        )

    def _proxies(self, name: str, args: DatabaseArgs, proxy_sg_id: pulumi.Input[str]) -> None:
        """One RDS Proxy per shard writer: connection pooling with TLS, secrets from SM."""
        stack_tags = args.tags
        for shard in self.shards:
            proxy_name = f"{physical_prefix(stack_tags.stack)}-shard-{shard.index}"
            # One role per proxy: it reads its own shard's master secret and nothing else.
            role = aws.iam.Role(
                f"{name}-proxy-{shard.index}-role",
                assume_role_policy=pulumi.Output.from_input(shard.secret_arn).apply(proxy_trust),
                tags=tags(stack_tags, f"{name}-proxy-{shard.index}-role"),
                opts=child(self),
            )
            aws.iam.RolePolicy(
                f"{name}-proxy-{shard.index}-secret",
                role=role.id,
                policy=pulumi.Output.from_input(shard.secret_arn).apply(proxy_secret_policy),
                opts=child(self),
            )
            shard.proxy = aws.rds.Proxy(
                f"{name}-proxy-{shard.index}",
                name=proxy_name,
                engine_family="MYSQL",
                require_tls=True,
                idle_client_timeout=PROXY_IDLE_CLIENT_TIMEOUT_S,  # > a reshard's GET_LOCK
                role_arn=role.arn,
                vpc_subnet_ids=args.subnet_ids,
                vpc_security_group_ids=[proxy_sg_id],
                auths=[
                    {
                        "auth_scheme": "SECRETS",
                        "iam_auth": "DISABLED",
                        "secret_arn": shard.secret_arn,
                    }
                ],
                tags=tags(stack_tags, proxy_name),
                opts=child(self),
            )
            target_group = aws.rds.ProxyDefaultTargetGroup(
                f"{name}-proxy-{shard.index}-pool",
                db_proxy_name=shard.proxy.name,
                connection_pool_config={
                    "max_connections_percent": 90,
                    "max_idle_connections_percent": 50,
                    "connection_borrow_timeout": 30,
                },
                opts=child(self),
            )
            aws.rds.ProxyTarget(
                f"{name}-proxy-{shard.index}-target",
                db_proxy_name=shard.proxy.name,
                target_group_name=target_group.name,
                db_instance_identifier=shard.primary.identifier,
                opts=child(self),
            )
