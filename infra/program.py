"""The Green Matchers program: Settings in, one component per concern, outputs out.

The same function runs under ``pulumi up`` and, offline, under the recording mocks that
make the Plan; nothing else describes the infrastructure.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pulumi
import pulumi_aws as aws

from infra.components.cache import Cache, CacheArgs
from infra.components.cdn import Cdn, CdnArgs
from infra.components.database import Database, DatabaseArgs
from infra.components.fleet import Fleet, FleetArgs, encode_user_data
from infra.components.iam import InstanceRole, InstanceRoleArgs, RuntimeSecrets
from infra.components.load_balancer import LoadBalancer, LoadBalancerArgs
from infra.components.monitoring import MonitoredResources, Monitoring, MonitoringArgs
from infra.components.network import Network, NetworkArgs
from infra.components.secrets import AppSecrets, AppSecretsArgs
from infra.components.services import APP_AUTH, Services, ServicesArgs
from infra.components.storage import AppArtifact, ArtifactArgs
from infra.db_capacity import connections_alarm_threshold
from infra.naming import db_identifier, physical_prefix
from infra.render.access import WORKER, access_for, run_command_fleet
from infra.render.userdata import (
    DRAIN_HEARTBEAT_S,
    DRAIN_HOOK,
    WEB_SERVICE,
    Role,
    UserDataContext,
    render_userdata,
)
from infra.settings import Settings
from infra.userdata_budget import check_user_data_budget

REPO_ROOT = Path(__file__).resolve().parent.parent
UBUNTU_AMI_PARAMETER = (
    "/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id"
)


def _image_id(settings: Settings) -> pulumi.Input[str]:
    """A pinned AMI when configured, else the current Ubuntu 24.04 LTS from SSM."""
    if settings.config.ami_id:
        return settings.config.ami_id
    return aws.ssm.get_parameter_output(name=UBUNTU_AMI_PARAMETER).value


def _by_label(settings: Settings, physical_names: list[str]) -> dict[str, str]:
    """Physical names keyed without the stack prefix, so resource names match across stacks."""
    prefix = f"{physical_prefix(settings.stack)}-"
    return {name.removeprefix(prefix): name for name in physical_names}


def build(settings: Settings, repo_root: Path = REPO_ROOT) -> dict[str, pulumi.Output[object]]:
    """Declare every resource of the stack; return the stack outputs.

    Refuses (SettingsError) settings whose boot script would not fit EC2's user data, before
    declaring anything: valid on their own, they cannot be deployed.
    """
    check_user_data_budget(settings)
    config = settings.config
    # Regular zones only: opted-in Local Zones sort first and cannot host the ALB, RDS or Redis.
    zones = aws.get_availability_zones(
        state="available",
        filters=[{"name": "opt-in-status", "values": ["opt-in-not-required"]}],
    )
    stack_tags = settings.tags
    network = Network(
        "gm-network",
        NetworkArgs(
            network=config.network,
            tags=stack_tags,
            availability_zones=sorted(zones.names),
            proxy=config.database.proxy,
            alb_port=443 if config.certificate_arn is not None else 80,
        ),
    )

    artifact = AppArtifact("gm-artifact", ArtifactArgs(stack_tags, repo_root))
    database = Database(
        "gm-db",
        DatabaseArgs(
            database=config.database,
            tags=stack_tags,
            subnet_ids=network.private_subnet_ids,
            db_sg_id=network.db_sg.id,
            proxy_sg_id=network.proxy_sg.id if network.proxy_sg is not None else None,
        ),
    )
    cache = Cache(
        "gm-redis",
        CacheArgs(
            cache=config.cache,
            tags=stack_tags,
            subnet_ids=network.private_subnet_ids,
            redis_sg_id=network.redis_sg.id,
        ),
    )
    app_secrets = AppSecrets("gm-secrets", AppSecretsArgs(stack_tags))
    secrets = RuntimeSecrets(
        shards=[s.secret_arn for s in database.shards],
        cache=cache.auth_secret.arn,
        session_redis=cache.session_auth_secret.arn,
        session_key=app_secrets.session_secret.arn,
    )
    # A role per fleet, each reading what its boot script fetches (render/access.py); only
    # the fleet the reshard runs on (access.run_command_fleet) may receive Run Command.
    runtime = InstanceRoleArgs(
        tags=stack_tags,
        artifact_bucket_arn=artifact.bucket.arn,
        secret_arns=[],
    )
    web_service = WEB_SERVICE if config.services is not None else None
    role = InstanceRole(
        "gm-instance",
        dataclasses.replace(
            runtime,
            secret_arns=secrets.readable_by(access_for("api", settings.phase, web_service)),
            run_command=run_command_fleet(settings.phase) == "api",
            description="Green Matchers api instances",
        ),
    )
    worker_role: InstanceRole | None = None
    if config.workers is not None:
        worker_role = InstanceRole(
            "gm-worker-instance",
            dataclasses.replace(
                runtime,
                secret_arns=secrets.readable_by(access_for(WORKER, settings.phase, None)),
                run_command=run_command_fleet(settings.phase) == WORKER,
                description="Green Matchers worker instances",
            ),
        )
    load_balancer = LoadBalancer(
        "gm-web",
        LoadBalancerArgs(
            tags=stack_tags,
            vpc_id=network.vpc.id,
            public_subnet_ids=network.public_subnet_ids,
            security_group_id=network.alb_sg.id,
            certificate_arn=config.certificate_arn,
            sticky_sessions=config.sticky_sessions,
            origin_verify=app_secrets.origin_verify_value,
        ),
    )
    # Before the fleets: their user data names the distribution's origin (TRUSTED_ORIGINS).
    cdn = Cdn(
        "gm-cdn",
        CdnArgs(
            cdn=config.cdn,
            tags=stack_tags,
            alb_dns_name=load_balancer.alb.dns_name,
            static_dir=repo_root / "app" / "static",
            domain=config.domain,
            alb_https=settings.https,
            certificate_arn=config.cdn_certificate_arn,
            origin_verify=app_secrets.origin_verify_value,
        ),
    )
    viewer_origins = cdn.distribution.domain_name.apply(
        lambda domain: tuple(f"https://{host}" for host in (domain, config.domain) if host)
    )

    def user_data(
        role_name: Role, service: str | None = None, ai_service_url: pulumi.Input[str] | None = None
    ) -> pulumi.Output[str]:
        """A fleet's user data; ``ai_service_url`` (phase 4) is the AI Lattice service's URL."""
        shard0 = database.shards[0]
        return pulumi.Output.all(
            bucket=artifact.bucket.bucket,
            db_secret=shard0.secret_arn,
            writer=shard0.writer_host,
            readers=pulumi.Output.all(*[r.address for r in shard0.replicas]),
            shard_hosts=pulumi.Output.all(*[s.writer_host for s in database.shards]),
            shard_secrets=pulumi.Output.all(*[s.secret_arn for s in database.shards]),
            redis=cache.group.primary_endpoint_address,
            redis_secret=cache.auth_secret.arn,
            session_redis=cache.session_group.primary_endpoint_address,
            session_redis_secret=cache.session_auth_secret.arn,
            session_secret=app_secrets.session_secret.arn,
            ai_service_url=ai_service_url or "",
            origins=viewer_origins,
        ).apply(
            lambda v: encode_user_data(
                render_userdata(
                    UserDataContext(
                        role=role_name,
                        phase=settings.phase,
                        region=settings.region,
                        artifact_bucket=v["bucket"],
                        artifact_key=artifact.key,
                        db_secret_arn=v["db_secret"],
                        db_writer_host=v["writer"],
                        db_pool_size=config.database.pool_size,
                        db_pool_overflow=config.database.pool_overflow,
                        db_reader_hosts=tuple(v["readers"]),
                        db_shard_hosts=tuple(v["shard_hosts"]) if settings.sharded else (),
                        db_shard_secret_arns=tuple(v["shard_secrets"]) if settings.sharded else (),
                        redis_host=v["redis"],
                        redis_secret_arn=v["redis_secret"],
                        service_name=service,
                        session_secret_arn=v["session_secret"],
                        session_redis_host=v["session_redis"],
                        session_redis_secret_arn=v["session_redis_secret"],
                        trusted_proxy_cidrs=(config.network.vpc_cidr,),
                        stack=settings.stack,
                        ai_service_url=v["ai_service_url"],
                        ai_service_auth=APP_AUTH if v["ai_service_url"] else "",
                        trusted_origins=tuple(v["origins"]),
                    )
                )
            )
        )

    image_id = _image_id(settings)
    # Phase 4's services come first: the api and worker user data carry the URL of the AI
    # service's Lattice name, so their launch templates wait for it.
    services: Services | None = None
    ai_service_url: pulumi.Output[str] | None = None
    if config.services is not None:
        services = Services(
            "gm-services",
            ServicesArgs(
                tags=stack_tags,
                region=settings.region,
                fleet=config.services,
                network=network,
                load_balancer=load_balancer,
                image_id=image_id,
                runtime=runtime,
                secrets=secrets,
                platform_roles=[r for r in (role, worker_role) if r is not None],
                user_data_for=lambda name, url: user_data("service", name, url),
            ),
        )
        ai_service_url = services.ai_service_url
    api = Fleet(
        "gm-api",
        FleetArgs(
            tags=stack_tags,
            fleet=config.api,
            role="api",
            image_id=image_id,
            subnet_ids=network.private_subnet_ids,
            security_group_id=network.app_sg.id,
            instance_profile_name=role.profile.name,
            # Phase 4: the default target group's fleet runs what no service took (web).
            user_data=user_data("api", WEB_SERVICE if services else None, ai_service_url),
            target_group_arns=[load_balancer.api_target_group.arn],
        ),
    )
    fleets: dict[str, Fleet] = {"api": api}
    if config.workers is not None and worker_role is not None:
        fleets["worker"] = Fleet(
            "gm-worker",
            FleetArgs(
                tags=stack_tags,
                fleet=config.workers,
                role="worker",
                image_id=image_id,
                subnet_ids=network.private_subnet_ids,
                security_group_id=network.worker_sg.id,
                instance_profile_name=worker_role.profile.name,
                user_data=user_data("worker", None, ai_service_url),
                drain_hook=DRAIN_HOOK,
                drain_heartbeat_s=DRAIN_HEARTBEAT_S,
            ),
        )
        # gm-drain on the workers completes that hook once Celery has shut down warmly.
        worker_role.allow_drain(fleets["worker"].group.arn)
    target_groups = {"api": load_balancer.api_target_group.arn_suffix}
    if services is not None:
        fleets.update({f"service-{k}": v for k, v in services.fleets.items()})
        target_groups.update({k: tg.arn_suffix for k, tg in services.target_groups.items()})

    db = config.database
    Monitoring(
        "gm-monitoring",
        MonitoringArgs(
            tags=stack_tags,
            region=settings.region,
            alarm_email=config.alarm_email,
            resources=MonitoredResources(
                alb_arn_suffix=load_balancer.alb.arn_suffix,
                target_groups=target_groups,
                asg_names={k: f.group.name for k, f in fleets.items()},
                db_writers=_by_label(
                    settings, [db_identifier(settings.stack, s) for s in range(db.shards)]
                ),
                db_readers=_by_label(
                    settings,
                    [
                        db_identifier(settings.stack, s, r)
                        for s in range(db.shards)
                        for r in range(1, db.read_replicas + 1)
                    ],
                ),
                cache_members=_by_label(settings, cache.member_ids),
                stack=settings.stack,
                phase=settings.phase,
                services=["api", *(sorted(services.fleets) if services else [])],
                cache_groups=_by_label(settings, [cache.group_id, cache.session_group_id]),
                query_cache_groups=list(_by_label(settings, [cache.group_id])),
                db_connection_threshold=connections_alarm_threshold(db.instance_class),
            ),
        ),
    )

    outputs: dict[str, pulumi.Output[object]] = {
        "phase": pulumi.Output.from_input(settings.phase),
        "albDnsName": load_balancer.alb.dns_name,
        "cdnDomainName": cdn.distribution.domain_name,
        "artifactBucket": artifact.bucket.bucket,
        "artifactKey": pulumi.Output.from_input(artifact.key),
        "staticBucket": cdn.bucket.bucket,
        "dbWriterEndpoints": pulumi.Output.all(*[s.writer_host for s in database.shards]),
        "dbReaderEndpoints": pulumi.Output.all(
            *[r.address for s in database.shards for r in s.replicas]
        ),
        "redisEndpoint": cache.group.primary_endpoint_address,
        "sessionRedisEndpoint": cache.session_group.primary_endpoint_address,
        "asgNames": pulumi.Output.all(**{k: f.group.name for k, f in fleets.items()}),
    }
    if services is not None:
        outputs["serviceNetworkId"] = services.service_network.id
    return outputs
