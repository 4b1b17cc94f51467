"""Services (phase 4): AI/ML, auth, matching and analytics, each its own ASG and target group.

The ALB routes public paths to them; VPC Lattice carries traffic between services
(AWS App Mesh was discontinued on 2026-09-30).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from infra.components.common import child, tags
from infra.components.fleet import Fleet, FleetArgs
from infra.components.load_balancer import APP_PORT, LoadBalancer
from infra.components.network import MARIADB_PORT, REDIS_PORT, Network, allow_outbound_web
from infra.naming import physical_prefix, sg_text
from infra.settings import FleetSettings, Settings

LATTICE_PORT = 443


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    paths: list[str]
    priority: int


SERVICES: list[ServiceSpec] = [
    ServiceSpec("ai-ml", ["/api/ai/*", "/api/embeddings/*"], 10),
    ServiceSpec("auth", ["/api/auth/*"], 20),
    ServiceSpec("matching", ["/api/match", "/api/match/*"], 30),
    ServiceSpec("analytics", ["/api/analytics/*"], 40),
]


@dataclass(frozen=True)
class ServicesArgs:
    settings: Settings
    fleet: FleetSettings
    network: Network
    load_balancer: LoadBalancer
    image_id: pulumi.Input[str]
    instance_profile_name: pulumi.Input[str]
    user_data_for: Callable[[str], pulumi.Input[str]]


class Services(pulumi.ComponentResource):
    """The four extracted services and the Lattice service network that joins them."""

    fleets: dict[str, Fleet]
    service_network: aws.vpclattice.ServiceNetwork

    def __init__(self, name: str, args: ServicesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("green-matchers:services:Services", name, None, opts)
        settings = args.settings
        network = args.network
        prefix = physical_prefix(settings.stack)

        service_sg = aws.ec2.SecurityGroup(
            f"{name}-sg",
            vpc_id=network.vpc.id,
            description=sg_text("Phase-4 services: 8000 from the ALB and from VPC Lattice"),
            tags=tags(settings, f"{name}-sg"),
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
            name=f"com.amazonaws.{settings.region}.vpc-lattice"
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
            tags=tags(settings, f"{name}-lattice-sg"),
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
            auth_type="NONE",
            tags=tags(settings, f"{prefix}-services"),
            opts=child(self),
        )
        aws.vpclattice.ServiceNetworkVpcAssociation(
            f"{name}-network-vpc",
            vpc_identifier=network.vpc.id,
            service_network_identifier=self.service_network.id,
            security_group_ids=[association_sg.id],
            tags=tags(settings, f"{name}-network-vpc"),
            opts=child(self),
        )

        self.fleets = {}
        self.target_groups: dict[str, aws.lb.TargetGroup] = {}
        for spec in SERVICES:
            target_group = args.load_balancer.target_group(spec.name)
            self.target_groups[spec.name] = target_group
            args.load_balancer.route(spec.name, spec.priority, spec.paths, target_group)
            fleet = Fleet(
                f"{name}-{spec.name}",
                FleetArgs(
                    settings=settings,
                    fleet=args.fleet,
                    role=f"service-{spec.name}",
                    image_id=args.image_id,
                    subnet_ids=network.private_subnet_ids,
                    security_group_id=service_sg.id,
                    instance_profile_name=args.instance_profile_name,
                    user_data=args.user_data_for(spec.name),
                    target_group_arns=[target_group.arn],
                ),
                opts=child(self),
            )
            self.fleets[spec.name] = fleet
            self._lattice_service(name, prefix, spec.name, fleet, network)

        self.register_outputs({"serviceNetworkId": self.service_network.id})

    def _lattice_service(
        self, name: str, prefix: str, service: str, fleet: Fleet, network: Network
    ) -> None:
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
            auth_type="NONE",
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
        aws.autoscaling.TrafficSourceAttachment(
            f"{name}-{service}-lattice-targets",
            autoscaling_group_name=fleet.group.name,
            traffic_source={"identifier": target_group.arn, "type": "vpc-lattice"},
            opts=child(self),
        )
