"""Load balancer: the ALB, the API target group and the listeners (HTTPS when a cert is set).

Only CloudFront may reach the fleets: the security group admits only CloudFront's
origin-facing addresses (``infra/components/network.py``), and every forwarding rule also
requires the ``X-Origin-Verify`` header that the distribution adds with a value from
Secrets Manager. A request without it gets the listener's default action: 403 on HTTPS,
the redirect to HTTPS on HTTP (a stack without a certificate has no HTTPS listener, so
the redirect leads nowhere: that is the refusal). Internal paths (metrics, the AI
service, the API docs, the readiness details) answer 404 before any rule forwards.
"""

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
ORIGIN_VERIFY_HEADER = "X-Origin-Verify"
# The catch-all rule for CloudFront's requests (the highest priority number the ALB allows):
# what the listener's default action forwarded before the header was required.
CATCH_ALL_PRIORITY = 50000
# Never public, in any phase: answered 404 by the ALB before any forwarding rule. An ALB
# rule takes at most five condition values, hence two rules.
INTERNAL_PATHS = ["/metrics", "/metrics/*", "/health/ready", "/docs", "/docs/*"]
INTERNAL_API_PATHS = ["/api/ai/*", "/api/embeddings/*", "/openapi.json", "/redoc"]
NOT_FOUND: aws.lb.ListenerRuleActionArgsDict = {
    "type": "fixed-response",
    "fixed_response": {
        "content_type": "text/plain",
        "status_code": "404",
        "message_body": "not found",
    },
}


@dataclass(frozen=True)
class LoadBalancerArgs:
    tags: StackTags
    vpc_id: pulumi.Input[str]
    public_subnet_ids: list[pulumi.Output[str]]
    security_group_id: pulumi.Input[str]
    # certificateArn: an HTTPS listener with it, and HTTP redirected; None: HTTP only.
    certificate_arn: str | None = None
    sticky_sessions: bool = False
    # The X-Origin-Verify value CloudFront sends (AppSecrets); the forwarding rules require it.
    origin_verify: pulumi.Input[str] = ""


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
        if not args.origin_verify:
            raise ValueError(
                "LoadBalancerArgs.origin_verify is required: the ALB admits only CloudFront"
            )
        self.origin_verify = args.origin_verify
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
                # Not CloudFront (no X-Origin-Verify): refused.
                default_actions=[
                    {
                        "type": "fixed-response",
                        "fixed_response": {
                            "content_type": "text/plain",
                            "status_code": "403",
                            "message_body": "forbidden",
                        },
                    }
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
            # No certificate: CloudFront reaches the ALB over HTTP (the origin-verify header
            # travels in clear between CloudFront and the ALB). Anything without the header
            # is redirected to an HTTPS listener that does not exist: refused.
            self.listener = aws.lb.Listener(
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
        for priority, (rule, paths) in enumerate(
            (("internal-paths", INTERNAL_PATHS), ("internal-api", INTERNAL_API_PATHS)), start=1
        ):
            aws.lb.ListenerRule(
                f"{name}-{rule}",
                listener_arn=self.listener.arn,
                priority=priority,
                conditions=[{"path_pattern": {"values": paths}}],
                actions=[NOT_FOUND],
                tags=tags(stack_tags, f"{name}-{rule}"),
                opts=child(self),
            )
        name_tag = f"{name}-from-cdn"
        aws.lb.ListenerRule(
            name_tag,
            listener_arn=self.listener.arn,
            priority=CATCH_ALL_PRIORITY,
            conditions=[self._from_cdn()],
            actions=[{"type": "forward", "target_group_arn": self.api_target_group.arn}],
            tags=tags(stack_tags, name_tag),
            opts=child(self),
        )
        self.register_outputs({"dnsName": self.alb.dns_name})

    def _from_cdn(self) -> aws.lb.ListenerRuleConditionArgsDict:
        return {
            "http_header": {
                "http_header_name": ORIGIN_VERIFY_HEADER,
                "values": [self.origin_verify],
            }
        }

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
            conditions=[{"path_pattern": {"values": paths}}, self._from_cdn()],
            actions=[{"type": "forward", "target_group_arn": target_group.arn}],
            tags=tags(self.stack_tags, name),
            opts=child(self),
        )
