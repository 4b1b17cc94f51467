"""Network: VPC over at least two AZs, public and private subnets, NAT, security groups."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from infra.cidr import subnet_cidrs
from infra.components.common import child, tags
from infra.components.iam import arn_region_account, assume_role_policy
from infra.naming import sg_text
from infra.settings import NetworkSettings, StackTags

APP_PORT = 8000
MARIADB_PORT = 3306
REDIS_PORT = 6379
ANYWHERE_V4 = "0.0.0.0/0"
ANYWHERE_V6 = "::/0"
# CloudFront's origin-facing addresses (AWS-managed). It counts against the group's quota
# of inbound rules (60 by default) by its maximum entries (55 in 2026), so the ALB's group
# admits it on one port only.
CLOUDFRONT_ORIGIN_FACING = "com.amazonaws.global.cloudfront.origin-facing"
ALB_PORTS = (80, 443)
FLOW_LOG_RETENTION_DAYS = 30


def flow_logs_trust(log_group_arn: str) -> str:
    """The flow-log service may assume the role only for this account's flow logs (VPC User
    Guide, "IAM role for publishing flow logs to CloudWatch Logs")."""
    region, account = arn_region_account(log_group_arn)
    return assume_role_policy(
        "vpc-flow-logs.amazonaws.com", account, f"arn:aws:ec2:{region}:{account}:vpc-flow-log/*"
    )


@dataclass(frozen=True)
class NetworkArgs:
    network: NetworkSettings
    tags: StackTags
    availability_zones: list[str]
    # RDS Proxy (database.proxy) needs a security group of its own between app and MariaDB.
    proxy: bool = False
    # The one port CloudFront reaches the ALB on: 443 when the ALB has a certificate, else 80.
    alb_port: int = 80


def allow_outbound_web(name: str, group: aws.ec2.SecurityGroup, parent: pulumi.Resource) -> None:
    """Egress to HTTPS (S3, Secrets Manager, Lattice, package index) and HTTP (apt mirrors)."""
    for port, why in (
        (443, "HTTPS: S3, Secrets Manager, Lattice, package index"),
        (80, "HTTP: Ubuntu package mirrors"),
    ):
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-out-{port}",
            security_group_id=group.id,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            cidr_ipv4=ANYWHERE_V4,
            description=sg_text(why),
            opts=pulumi.ResourceOptions(parent=parent),
        )


class Network(pulumi.ComponentResource):
    """The VPC and the security-group chain internet -> ALB -> app -> database / Redis."""

    vpc: aws.ec2.Vpc
    public_subnet_ids: list[pulumi.Output[str]]
    private_subnet_ids: list[pulumi.Output[str]]
    alb_sg: aws.ec2.SecurityGroup
    app_sg: aws.ec2.SecurityGroup
    worker_sg: aws.ec2.SecurityGroup
    db_sg: aws.ec2.SecurityGroup
    redis_sg: aws.ec2.SecurityGroup

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("green-matchers:network:Network", name, None, opts)
        self.component_name = name
        stack_tags = args.tags
        net = args.network
        azs = args.availability_zones[: net.az_count]
        if len(azs) < 2:
            raise ValueError(f"the region offers {len(azs)} availability zones; the ALB needs 2")
        public_cidrs, private_cidrs = subnet_cidrs(net.vpc_cidr, len(azs))

        self.vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=net.vpc_cidr,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags=tags(stack_tags, f"{name}-vpc"),
            opts=child(self),
        )
        # The VPC's default group is left with no rules: nothing may use it by accident.
        aws.ec2.DefaultSecurityGroup(
            f"{name}-default-sg",
            vpc_id=self.vpc.id,
            tags=tags(stack_tags, f"{name}-default-sg", Purpose="locked, no rules"),
            opts=child(self),
        )
        self._flow_logs(name, stack_tags)
        igw = aws.ec2.InternetGateway(
            f"{name}-igw",
            vpc_id=self.vpc.id,
            tags=tags(stack_tags, f"{name}-igw"),
            opts=child(self),
        )
        public_rt = aws.ec2.RouteTable(
            f"{name}-public-rt",
            vpc_id=self.vpc.id,
            tags=tags(stack_tags, f"{name}-public-rt"),
            opts=child(self),
        )
        aws.ec2.Route(
            f"{name}-public-default",
            route_table_id=public_rt.id,
            destination_cidr_block=ANYWHERE_V4,
            gateway_id=igw.id,
            opts=child(self),
        )

        public_subnets: list[aws.ec2.Subnet] = []
        private_subnets: list[aws.ec2.Subnet] = []
        for index, az in enumerate(azs):
            public = aws.ec2.Subnet(
                f"{name}-public-{index}",
                vpc_id=self.vpc.id,
                cidr_block=public_cidrs[index],
                availability_zone=az,
                map_public_ip_on_launch=False,
                tags=tags(stack_tags, f"{name}-public-{index}", Tier="public"),
                opts=child(self),
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-public-{index}-rta",
                subnet_id=public.id,
                route_table_id=public_rt.id,
                opts=child(self),
            )
            public_subnets.append(public)
            private = aws.ec2.Subnet(
                f"{name}-private-{index}",
                vpc_id=self.vpc.id,
                cidr_block=private_cidrs[index],
                availability_zone=az,
                tags=tags(stack_tags, f"{name}-private-{index}", Tier="private"),
                opts=child(self),
            )
            private_subnets.append(private)

        nat_count = 1 if net.nat_gateways == "single" else len(azs)
        nats: list[aws.ec2.NatGateway] = []
        for index in range(nat_count):
            eip = aws.ec2.Eip(
                f"{name}-nat-eip-{index}",
                domain="vpc",
                tags=tags(stack_tags, f"{name}-nat-eip-{index}"),
                opts=child(self),
            )
            nats.append(
                aws.ec2.NatGateway(
                    f"{name}-nat-{index}",
                    allocation_id=eip.id,
                    subnet_id=public_subnets[index].id,
                    tags=tags(stack_tags, f"{name}-nat-{index}"),
                    opts=child(self, depends_on=[igw]),
                )
            )
        for index, private in enumerate(private_subnets):
            rt = aws.ec2.RouteTable(
                f"{name}-private-rt-{index}",
                vpc_id=self.vpc.id,
                tags=tags(stack_tags, f"{name}-private-rt-{index}"),
                opts=child(self),
            )
            aws.ec2.Route(
                f"{name}-private-default-{index}",
                route_table_id=rt.id,
                destination_cidr_block=ANYWHERE_V4,
                nat_gateway_id=nats[index % nat_count].id,
                opts=child(self),
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-private-{index}-rta",
                subnet_id=private.id,
                route_table_id=rt.id,
                opts=child(self),
            )

        self.public_subnet_ids = [s.id for s in public_subnets]
        self.private_subnet_ids = [s.id for s in private_subnets]
        self.availability_zones = azs

        if args.alb_port not in ALB_PORTS:
            raise ValueError(f"NetworkArgs.alb_port is {args.alb_port}; allowed: 80, 443")
        self.alb_sg = self._group(
            name, "alb", "Application Load Balancer: CloudFront only", stack_tags
        )
        self.app_sg = self._group(name, "app", "App servers: 8000 from the ALB only", stack_tags)
        self.worker_sg = self._group(name, "worker", "Celery workers: no ingress", stack_tags)
        self.db_sg = self._group(
            name, "db", "MariaDB: 3306 from app servers and workers", stack_tags
        )
        self.redis_sg = self._group(
            name, "redis", "Redis: 6379 from app servers and workers", stack_tags
        )

        cloudfront = aws.ec2.get_managed_prefix_list_output(name=CLOUDFRONT_ORIGIN_FACING)
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-alb-from-cloudfront",
            security_group_id=self.alb_sg.id,
            prefix_list_id=cloudfront.id,
            ip_protocol="tcp",
            from_port=args.alb_port,
            to_port=args.alb_port,
            description=sg_text(f"CloudFront origin-facing to port {args.alb_port}"),
            opts=child(self),
        )
        self._allow(name, "alb-to-app", self.alb_sg, self.app_sg, APP_PORT, "ALB to app servers")
        for source_key, source in (("app", self.app_sg), ("worker", self.worker_sg)):
            self._allow(
                name,
                f"{source_key}-to-db",
                source,
                self.db_sg,
                MARIADB_PORT,
                f"{source_key} to MariaDB",
            )
            self._allow(
                name,
                f"{source_key}-to-redis",
                source,
                self.redis_sg,
                REDIS_PORT,
                f"{source_key} to Redis",
            )
            allow_outbound_web(f"{name}-{source_key}", source, self)

        self.proxy_sg: aws.ec2.SecurityGroup | None = None
        if args.proxy:
            self.proxy_sg = self._group(
                name, "proxy", "RDS Proxy: 3306 from app servers and workers", stack_tags
            )
            self._allow(
                name, "proxy-to-db", self.proxy_sg, self.db_sg, MARIADB_PORT, "RDS Proxy to MariaDB"
            )
            for source_key, source in (("app", self.app_sg), ("worker", self.worker_sg)):
                self._allow(
                    name,
                    f"{source_key}-to-proxy",
                    source,
                    self.proxy_sg,
                    MARIADB_PORT,
                    f"{source_key} to RDS Proxy",
                )

        self.register_outputs(
            {
                "vpcId": self.vpc.id,
                "publicSubnetIds": self.public_subnet_ids,
                "privateSubnetIds": self.private_subnet_ids,
            }
        )

    def _flow_logs(self, name: str, stack_tags: StackTags) -> None:
        """Every accepted and rejected flow of the VPC, kept 30 days in CloudWatch Logs."""
        group = aws.cloudwatch.LogGroup(
            f"{name}-flow-logs",
            retention_in_days=FLOW_LOG_RETENTION_DAYS,
            tags=tags(stack_tags, f"{name}-flow-logs"),
            opts=child(self),
        )
        role = aws.iam.Role(
            f"{name}-flow-logs-role",
            assume_role_policy=group.arn.apply(flow_logs_trust),
            tags=tags(stack_tags, f"{name}-flow-logs-role"),
            opts=child(self),
        )
        aws.iam.RolePolicy(
            f"{name}-flow-logs-write",
            role=role.id,
            policy=group.arn.apply(
                lambda arn: json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": [
                                    "logs:CreateLogStream",
                                    "logs:PutLogEvents",
                                    "logs:DescribeLogStreams",
                                ],
                                "Resource": [arn, f"{arn}:*"],
                            },
                            {
                                # The flow-log service lists groups before it writes (VPC User
                                # Guide, "IAM role for publishing flow logs to CloudWatch
                                # Logs"); DescribeLogGroups takes no resource ARN (Service
                                # Authorization Reference; parliament: RESOURCE_MISMATCH), so
                                # a narrower Resource would deny it.
                                "Effect": "Allow",
                                "Action": ["logs:DescribeLogGroups"],
                                "Resource": ["*"],
                            },
                        ],
                    },
                    sort_keys=True,
                )
            ),
            opts=child(self),
        )
        aws.ec2.FlowLog(
            f"{name}-flow-log",
            vpc_id=self.vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=60,
            tags=tags(stack_tags, f"{name}-flow-log"),
            opts=child(self),
        )

    def _group(
        self, name: str, role: str, description: str, stack_tags: StackTags
    ) -> aws.ec2.SecurityGroup:
        return aws.ec2.SecurityGroup(
            f"{name}-{role}-sg",
            vpc_id=self.vpc.id,
            description=sg_text(description),
            tags=tags(stack_tags, f"{name}-{role}-sg"),
            opts=child(self),
        )

    def _allow(
        self,
        name: str,
        rule: str,
        source: aws.ec2.SecurityGroup,
        target: aws.ec2.SecurityGroup,
        port: int,
        description: str,
    ) -> None:
        """One hop of the chain: egress from the source and ingress on the target, one port."""
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-{rule}-out",
            security_group_id=source.id,
            referenced_security_group_id=target.id,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            description=sg_text(description),
            opts=child(self),
        )
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-{rule}-in",
            security_group_id=target.id,
            referenced_security_group_id=source.id,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            description=sg_text(description),
            opts=child(self),
        )

    def allow(
        self,
        rule: str,
        source: aws.ec2.SecurityGroup,
        target: aws.ec2.SecurityGroup,
        port: int,
        description: str,
    ) -> None:
        """Open one more hop (used by later phases: RDS Proxy, service-to-service)."""
        self._allow(self.component_name, rule, source, target, port, description)
