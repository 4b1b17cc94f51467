"""Load balancer: the ALB, the API target group and the listeners (HTTPS when a cert is set)."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from infra.components.common import child, tags
from infra.settings import StackTags

APP_PORT = 8000
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
STICKY_SECONDS = 3600
# The source document's health check for the API target group.
HEALTH_CHECK: aws.lb.TargetGroupHealthCheckArgsDict = {
    "enabled": True,
    "path": "/health",
    "protocol": "HTTP",
    "port": "traffic-port",
    "interval": 30,
    "timeout": 5,
    "healthy_threshold": 3,
    "unhealthy_threshold": 2,
    "matcher": "200",
}
INTERNAL_PATHS = ["/metrics", "/metrics/*"]


@dataclass(frozen=True)
class LoadBalancerArgs:
    tags: StackTags
    vpc_id: pulumi.Input[str]
    public_subnet_ids: list[pulumi.Output[str]]
    security_group_id: pulumi.Input[str]
    # certificateArn: an HTTPS listener with it, and HTTP redirected; None: HTTP only.
    certificate_arn: str | None = None
    sticky_sessions: bool = False


class LoadBalancer(pulumi.ComponentResource):
    """Internet-facing ALB. ``listener`` is where the app's traffic (and path rules) lands."""

    alb: aws.lb.LoadBalancer
    api_target_group: aws.lb.TargetGroup
    listener: aws.lb.Listener

    def __init__(
        self, name: str, args: LoadBalancerArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("green-matchers:web:LoadBalancer", name, None, opts)
        self.component_name = name
        self.stack_tags = args.tags
        self.sticky_sessions = args.sticky_sessions
        self.vpc_id = args.vpc_id
        stack_tags = args.tags
        self.alb = aws.lb.LoadBalancer(
            f"{name}-alb",
            load_balancer_type="application",
            internal=False,
            subnets=args.public_subnet_ids,
            security_groups=[args.security_group_id],
            drop_invalid_header_fields=True,
            enable_deletion_protection=True,
            enable_http2=True,
            desync_mitigation_mode="defensive",
            # Shorter than the instances' nginx keepalive_timeout (75 s): the ALB must never
            # reuse a connection the instance has just closed, or the client gets a 502.
            idle_timeout=60,
            ip_address_type="ipv4",
            tags=tags(stack_tags, f"{name}-alb"),
            opts=child(self),
        )
        self.api_target_group = self.target_group("api")

        if args.certificate_arn is not None:
            self.listener = aws.lb.Listener(
                f"{name}-https",
                load_balancer_arn=self.alb.arn,
                port=443,
                protocol="HTTPS",
                ssl_policy=TLS_POLICY,
                certificate_arn=args.certificate_arn,
                default_actions=[
                    {"type": "forward", "target_group_arn": self.api_target_group.arn}
                ],
                tags=tags(stack_tags, f"{name}-https"),
                opts=child(self),
            )
            aws.lb.Listener(
                f"{name}-http",
                load_balancer_arn=self.alb.arn,
                port=80,
                protocol="HTTP",
                default_actions=[
                    {
                        "type": "redirect",
                        "redirect": {"port": "443", "protocol": "HTTPS", "status_code": "HTTP_301"},
                    }
                ],
                tags=tags(stack_tags, f"{name}-http"),
                opts=child(self),
            )
        else:
            self.listener = aws.lb.Listener(
                f"{name}-http",
                load_balancer_arn=self.alb.arn,
                port=80,
                protocol="HTTP",
                default_actions=[
                    {"type": "forward", "target_group_arn": self.api_target_group.arn}
                ],
                tags=tags(stack_tags, f"{name}-http"),
                opts=child(self),
            )
        aws.lb.ListenerRule(
            f"{name}-internal-paths",
            listener_arn=self.listener.arn,
            priority=1,
            conditions=[{"path_pattern": {"values": INTERNAL_PATHS}}],
            actions=[
                {
                    "type": "fixed-response",
                    "fixed_response": {
                        "content_type": "text/plain",
                        "status_code": "404",
                        "message_body": "not found",
                    },
                }
            ],
            tags=tags(stack_tags, f"{name}-internal-paths"),
            opts=child(self),
        )
        self.register_outputs({"dnsName": self.alb.dns_name})

    def target_group(self, service: str) -> aws.lb.TargetGroup:
        """A target group on the app port with the document's health check."""
        name = f"{self.component_name}-{service}-tg"
        stickiness: aws.lb.TargetGroupStickinessArgsDict = {
            "enabled": self.sticky_sessions,
            "type": "lb_cookie",
            "cookie_duration": STICKY_SECONDS,
        }
        return aws.lb.TargetGroup(
            name,
            port=APP_PORT,
            protocol="HTTP",
            protocol_version="HTTP1",
            target_type="instance",
            vpc_id=self.vpc_id,
            # Requests answer within seconds (the 5 s goal); AWS's 300 s default would only
            # slow every instance refresh by draining connections that are long done.
            deregistration_delay=30,
            load_balancing_algorithm_type="least_outstanding_requests",
            health_check=HEALTH_CHECK,
            stickiness=stickiness,
            tags=tags(self.stack_tags, name),
            opts=child(self),
        )

    def route(
        self, service: str, priority: int, paths: list[str], target_group: aws.lb.TargetGroup
    ) -> aws.lb.ListenerRule:
        """Send ``paths`` on the main listener to a service's target group."""
        name = f"{self.component_name}-{service}-route"
        return aws.lb.ListenerRule(
            name,
            listener_arn=self.listener.arn,
            priority=priority,
            conditions=[{"path_pattern": {"values": paths}}],
            actions=[{"type": "forward", "target_group_arn": target_group.arn}],
            tags=tags(self.stack_tags, name),
            opts=child(self),
        )
