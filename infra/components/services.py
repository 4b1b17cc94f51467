"""Services (phase 4): AI/ML, auth, matching and analytics, each its own ASG and target group.

The ALB routes public paths to them; VPC Lattice carries traffic between services
(AWS App Mesh was discontinued on 2026-09-30). The service network and every Lattice
service use AWS_IAM auth: a call must be SigV4-signed (``app/services/lattice_auth.py``) by
a role that the service's auth policy names, from this stack's VPC. Every service fleet
has its own instance role, allowed to invoke only the services it calls (``ServiceSpec.calls``)
and to read only the secrets its service uses (``infra/render/access.py``).
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Callable
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from infra.components.common import child, tags
from infra.components.fleet import Fleet, FleetArgs
from infra.components.iam import InstanceRole, InstanceRoleArgs, RuntimeSecrets
from infra.components.load_balancer import APP_PORT, LoadBalancer
from infra.components.network import MARIADB_PORT, REDIS_PORT, Network, allow_outbound_web
from infra.naming import physical_prefix, sg_text
from infra.render.access import SERVICE_ACCESS, run_command_fleet
from infra.settings import FleetSettings, StackTags

LATTICE_PORT = 443
LATTICE_AUTH = "AWS_IAM"
# What the app's AI_SERVICE_AUTH setting calls Lattice's AWS_IAM: sign every call (SigV4).
APP_AUTH = "aws_iam"
AI_SERVICE = "ai-ml"
INVOKE = "vpc-lattice-svcs:Invoke"


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    paths: list[str]
    priority: int
    calls: tuple[str, ...] = ()  # the services this one calls over Lattice


SERVICES: list[ServiceSpec] = [
    ServiceSpec("ai-ml", ["/api/ai/*", "/api/embeddings/*"], 10),
    ServiceSpec("auth", ["/api/auth/*"], 20),
    ServiceSpec("matching", ["/api/match", "/api/match/*"], 30, calls=(AI_SERVICE,)),
    ServiceSpec("analytics", ["/api/analytics/*"], 40),
]
# The api and worker fleets (a role each) embed new jobs through the AI service.
PLATFORM_CALLS: tuple[str, ...] = (AI_SERVICE,)


def invoke_resources(service_arn: str, paths: list[str]) -> list[str]:
    """Lattice request resources (``<service arn>/<path>``) for a service's own paths."""
    return sorted(f"{service_arn}{path}" for path in paths)


def callers_of(service: str) -> list[str]:
    """Who may call ``service`` over Lattice: service names, and "platform" (api, worker)."""
    found = [spec.name for spec in SERVICES if service in spec.calls]
    return (["platform"] if service in PLATFORM_CALLS else []) + found


def service_auth_policy(
    resources: list[str], caller_arns: list[str], vpc_id: str, network_arn: str
) -> str:
    """The auth policy of one Lattice service: its callers' roles may invoke its paths, from
    this VPC through this service network; a service nobody calls denies every request."""
    if not caller_arns:
        statement: dict[str, object] = {
            "Sid": "NoCallers",
            "Effect": "Deny",
            "Principal": "*",
            "Action": INVOKE,
            "Resource": "*",
        }
    else:
        statement = {
            "Sid": "Callers",
            "Effect": "Allow",
            "Principal": {"AWS": sorted(set(caller_arns))},
            "Action": INVOKE,
            "Resource": sorted(resources),
            "Condition": {
                "StringEquals": {"vpc-lattice-svcs:SourceVpc": vpc_id},
                # An ARN-typed key (Service Authorization Reference): matched as an ARN.
                "ArnEquals": {"vpc-lattice-svcs:ServiceNetworkArn": network_arn},
            },
        }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]}, sort_keys=True)


def network_auth_policy(caller_arns: list[str], vpc_id: str) -> str:
    """The service network's auth policy: only the roles that call some service, from this
    VPC (each service's own policy then says which service they may call)."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "PlatformCallers",
                    "Effect": "Allow",
                    "Principal": {"AWS": sorted(set(caller_arns))},
                    "Action": INVOKE,
                    "Resource": "*",
                    "Condition": {"StringEquals": {"vpc-lattice-svcs:SourceVpc": vpc_id}},
                }
            ],
        },
        sort_keys=True,
    )


@dataclass(frozen=True)
class ServicesArgs:
    tags: StackTags
    region: str
    fleet: FleetSettings
    network: Network
    load_balancer: LoadBalancer
    image_id: pulumi.Input[str]
    # What every service role may read (the artifact); its secrets are picked from `secrets`.
    runtime: InstanceRoleArgs
    secrets: RuntimeSecrets
    # The api and worker fleets' roles: they may call PLATFORM_CALLS.
    platform_roles: list[InstanceRole]
    # (service, AI service URL or None) -> the fleet's user data
    user_data_for: Callable[[str, pulumi.Input[str] | None], pulumi.Input[str]]


class Services(pulumi.ComponentResource):
    """The four extracted services and the Lattice service network that joins them."""

    fleets: dict[str, Fleet]
    roles: dict[str, InstanceRole]
    lattice_services: dict[str, aws.vpclattice.Service]
    service_network: aws.vpclattice.ServiceNetwork
    ai_service_url: pulumi.Output[str]

    def __init__(self, name: str, args: ServicesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("green-matchers:services:Services", name, None, opts)
        stack_tags = args.tags
        network = args.network
        prefix = physical_prefix(stack_tags.stack)

        service_sg = aws.ec2.SecurityGroup(
            f"{name}-sg",
            vpc_id=network.vpc.id,
            description=sg_text("Phase-4 services: 8000 from the ALB and from VPC Lattice"),
            tags=tags(stack_tags, f"{name}-sg"),
            opts=child(self),
        )
        network.allow("alb-to-services", network.alb_sg, service_sg, APP_PORT, "ALB to services")
        network.allow(
            "services-to-db", service_sg, network.db_sg, MARIADB_PORT, "services to MariaDB"
        )
        network.allow(
            "services-to-redis", service_sg, network.redis_sg, REDIS_PORT, "services to Redis"
        )
        if network.proxy_sg is not None:
            network.allow(
                "services-to-proxy",
                service_sg,
                network.proxy_sg,
                MARIADB_PORT,
                "services to RDS Proxy",
            )
        lattice_prefix_list = aws.ec2.get_managed_prefix_list_output(
            name=f"com.amazonaws.{args.region}.vpc-lattice"
        )
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-from-lattice",
            security_group_id=service_sg.id,
            prefix_list_id=lattice_prefix_list.id,
            ip_protocol="tcp",
            from_port=APP_PORT,
            to_port=APP_PORT,
            description=sg_text("VPC Lattice to services"),
            opts=child(self),
        )
        allow_outbound_web(name, service_sg, self)

        association_sg = aws.ec2.SecurityGroup(
            f"{name}-lattice-sg",
            vpc_id=network.vpc.id,
            description=sg_text("VPC Lattice service network: HTTPS from the platform instances"),
            tags=tags(stack_tags, f"{name}-lattice-sg"),
            opts=child(self),
        )
        for source_key, source in (
            ("app", network.app_sg),
            ("worker", network.worker_sg),
            ("services", service_sg),
        ):
            aws.vpc.SecurityGroupIngressRule(
                f"{name}-lattice-from-{source_key}",
                security_group_id=association_sg.id,
                referenced_security_group_id=source.id,
                ip_protocol="tcp",
                from_port=LATTICE_PORT,
                to_port=LATTICE_PORT,
                description=sg_text(f"{source_key} to Lattice services"),
                opts=child(self),
            )

        self.service_network = aws.vpclattice.ServiceNetwork(
            f"{name}-network",
            name=f"{prefix}-services",
            auth_type=LATTICE_AUTH,
            tags=tags(stack_tags, f"{prefix}-services"),
            opts=child(self),
        )
        aws.vpclattice.ServiceNetworkVpcAssociation(
            f"{name}-network-vpc",
            vpc_identifier=network.vpc.id,
            service_network_identifier=self.service_network.id,
            security_group_ids=[association_sg.id],
            tags=tags(stack_tags, f"{name}-network-vpc"),
            opts=child(self),
        )

        # One role per service fleet: the secrets its service uses, its own Lattice calls.
        self.roles = {
            spec.name: InstanceRole(
                f"{name}-{spec.name}-instance",
                dataclasses.replace(
                    args.runtime,
                    secret_arns=args.secrets.readable_by(SERVICE_ACCESS[spec.name]),
                    description=f"Green Matchers {spec.name} service instances",
                    # Session Manager only, but for the fleet the reshard runs on
                    run_command=run_command_fleet(4) == f"service-{spec.name}",
                ),
                opts=child(self),
            )
            for spec in SERVICES
        }
        self.lattice_services = {}
        lattice_target_groups: dict[str, aws.vpclattice.TargetGroup] = {}
        for spec in SERVICES:
            lattice_target_groups[spec.name], self.lattice_services[spec.name] = (
                self._lattice_service(name, prefix, spec.name, network)
            )
        self.ai_service_url = self.lattice_services[AI_SERVICE].dns_entries.apply(
            lambda entries: f"https://{entries[0].domain_name}"
        )
        self._auth_policies(name, args.platform_roles, network)

        self.fleets = {}
        self.target_groups: dict[str, aws.lb.TargetGroup] = {}
        for spec in SERVICES:
            target_group = args.load_balancer.target_group(spec.name)
            self.target_groups[spec.name] = target_group
            args.load_balancer.route(spec.name, spec.priority, spec.paths, target_group)
            fleet = Fleet(
                f"{name}-{spec.name}",
                FleetArgs(
                    tags=stack_tags,
                    fleet=args.fleet,
                    role=f"service-{spec.name}",
                    image_id=args.image_id,
                    subnet_ids=network.private_subnet_ids,
                    security_group_id=service_sg.id,
                    instance_profile_name=self.roles[spec.name].profile.name,
                    user_data=args.user_data_for(
                        spec.name, self.ai_service_url if AI_SERVICE in spec.calls else None
                    ),
                    target_group_arns=[target_group.arn],
                ),
                opts=child(self),
            )
            self.fleets[spec.name] = fleet
            aws.autoscaling.TrafficSourceAttachment(
                f"{name}-{spec.name}-lattice-targets",
                autoscaling_group_name=fleet.group.name,
                traffic_source={
                    "identifier": lattice_target_groups[spec.name].arn,
                    "type": "vpc-lattice",
                },
                opts=child(self),
            )

        self.register_outputs({"serviceNetworkId": self.service_network.id})

    def _lattice_service(
        self, name: str, prefix: str, service: str, network: Network
    ) -> tuple[aws.vpclattice.TargetGroup, aws.vpclattice.Service]:
        """HTTPS 443 on the service's generated name (Lattice's own certificate), forwarding
        to the fleet's nginx over HTTP on the app port, health-checked on /health."""
        settings_tags = {"Name": f"{prefix}-{service}", "ManagedBy": "pulumi"}
        target_group = aws.vpclattice.TargetGroup(
            f"{name}-{service}-lattice-tg",
            name=f"{prefix}-{service}",
            type="INSTANCE",
            config={
                "port": APP_PORT,
                "protocol": "HTTP",
                "vpc_identifier": network.vpc.id,
                "health_check": {
                    "enabled": True,
                    "path": "/health",
                    "protocol": "HTTP",
                    "health_check_interval_seconds": 30,
                    "health_check_timeout_seconds": 5,
                    "healthy_threshold_count": 3,
                    "unhealthy_threshold_count": 2,
                },
            },
            tags=settings_tags,
            opts=child(self),
        )
        lattice_service = aws.vpclattice.Service(
            f"{name}-{service}-lattice",
            name=f"{prefix}-{service}",
            auth_type=LATTICE_AUTH,
            tags=settings_tags,
            opts=child(self),
        )
        forward: aws.vpclattice.ListenerDefaultActionArgsDict = {
            "forwards": [
                {"target_groups": [{"target_group_identifier": target_group.id, "weight": 100}]}
            ]
        }
        aws.vpclattice.Listener(
            f"{name}-{service}-lattice-https",
            service_identifier=lattice_service.id,
            protocol="HTTPS",
            port=LATTICE_PORT,
            default_action=forward,
            tags=settings_tags,
            opts=child(self),
        )
        aws.vpclattice.ServiceNetworkServiceAssociation(
            f"{name}-{service}-lattice-assoc",
            service_identifier=lattice_service.id,
            service_network_identifier=self.service_network.id,
            tags=settings_tags,
            opts=child(self),
        )
        return target_group, lattice_service

    def _auth_policies(
        self, name: str, platform_roles: list[InstanceRole], network: Network
    ) -> None:
        """Each service's auth policy names its callers' roles; each caller's role may invoke
        those services' paths; the network admits only roles that call something."""
        role_arns: dict[str, list[pulumi.Output[str]]] = {
            "platform": [r.role.arn for r in platform_roles],
            **{service: [role.role.arn] for service, role in self.roles.items()},
        }
        resources: dict[str, pulumi.Output[list[str]]] = {
            spec.name: self.lattice_services[spec.name].arn.apply(
                functools.partial(invoke_resources, paths=spec.paths)
            )
            for spec in SERVICES
        }
        all_callers: set[str] = set()
        for spec in SERVICES:
            callers = callers_of(spec.name)
            all_callers.update(callers)
            aws.vpclattice.AuthPolicy(
                f"{name}-{spec.name}-lattice-auth",
                resource_identifier=self.lattice_services[spec.name].arn,
                policy=pulumi.Output.all(
                    resources[spec.name],
                    network.vpc.id,
                    self.service_network.arn,
                    *(arn for c in callers for arn in role_arns[c]),
                ).apply(lambda v: service_auth_policy(v[0], list(v[3:]), v[1], v[2])),
                opts=child(self),
            )
        aws.vpclattice.AuthPolicy(
            f"{name}-network-auth",
            resource_identifier=self.service_network.arn,
            policy=pulumi.Output.all(
                network.vpc.id, *(arn for c in sorted(all_callers) for arn in role_arns[c])
            ).apply(lambda v: network_auth_policy(list(v[1:]), v[0])),
            opts=child(self),
        )
        for spec in SERVICES:
            if spec.calls:
                self.roles[spec.name].allow_invoke([resources[c] for c in spec.calls])
        for platform_role in platform_roles:
            platform_role.allow_invoke([resources[c] for c in PLATFORM_CALLS])
