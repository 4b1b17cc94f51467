"""IAM: the instance roles (what the app's instances may do, and nothing more) and the trust
policy of a role that one AWS service assumes (EC2, RDS Proxy, flow logs).

Every fleet has its own role: the api fleet, the workers and, from phase 4, each service
(``infra/components/services.py``), so a fleet may read only the secrets it uses
(``infra/render/access.py``) and call over VPC Lattice only the services it needs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from infra.components.common import child, tags
from infra.render.access import Access, readable
from infra.render.userdata import METRICS_NAMESPACE
from infra.settings import StackTags

# What the SSM agent needs, in place of AWS's AmazonSSMManagedInstanceCore, which also lets
# an instance read every SSM parameter (ssm:GetParameter(s) on *, SecureStrings included)
# and its State Manager documents. Every fleet: registration and Session Manager's
# channels. Run Command targets (the worker fleet, for the reshard): the message service
# the agent polls for commands, too. None of these actions takes a resource ARN.
SSM_AGENT_ACTIONS = (
    "ssm:UpdateInstanceInformation",
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
)
RUN_COMMAND_ACTIONS = (
    "ec2messages:AcknowledgeMessage",
    "ec2messages:DeleteMessage",
    "ec2messages:FailMessage",
    "ec2messages:GetEndpoint",
    "ec2messages:GetMessages",
    "ec2messages:SendReply",
)


def assume_role_policy(
    service: str, account: str | None = None, source_arn: str | None = None
) -> str:
    """Allow ``service`` (e.g. ``ec2.amazonaws.com``) to assume the role; nothing else.

    With ``account`` (and ``source_arn``, a pattern), only on behalf of this account's own
    resources (``aws:SourceAccount``, ``aws:SourceArn``: the IAM User Guide's cross-service
    confused-deputy prevention). EC2 instance roles take neither: EC2 sets no source
    context when an instance profile's role is assumed, and only this account's principals
    with ``iam:PassRole`` can put the role on an instance.

    Keys stay in this order and unsorted: the JSON is a resource input, and a different
    spelling of the same policy would show as a change on every existing role.
    """
    statement: dict[str, object] = {
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sts:AssumeRole",
    }
    if account is not None:
        condition: dict[str, dict[str, str]] = {"StringEquals": {"aws:SourceAccount": account}}
        if source_arn is not None:
            condition["ArnLike"] = {"aws:SourceArn": source_arn}
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def arn_region_account(arn: str) -> tuple[str, str]:
    """The region and account of an ARN (``arn:partition:service:region:account:...``)."""
    parts = arn.split(":")
    return parts[3], parts[4]


@dataclass(frozen=True)
class RuntimeSecrets:
    """The stack's secrets that instances read at boot; ``readable_by`` picks a fleet's."""

    shards: list[pulumi.Input[str]]  # each shard's master credentials, shard 0 first
    cache: pulumi.Input[str]  # the cache's Redis auth token
    session_redis: pulumi.Input[str]  # the session Redis auth token
    session_key: pulumi.Input[str]  # the session signing key

    def readable_by(self, access: Access) -> list[pulumi.Input[str]]:
        return readable(access, self.shards, self.cache, self.session_redis, self.session_key)


@dataclass(frozen=True)
class InstanceRoleArgs:
    tags: StackTags
    artifact_bucket_arn: pulumi.Input[str]
    secret_arns: list[pulumi.Input[str]]
    description: str = "Green Matchers app instances"
    run_command: bool = False  # a Run Command target (the worker fleet runs the reshard)


def instance_policy(
    artifact_bucket_arn: str, secret_arns: list[str], namespace: str = METRICS_NAMESPACE
) -> str:
    """Read the release archives and the runtime secrets the fleet uses (none: no such
    statement), and publish the app's metrics to its own CloudWatch namespace; nothing else.

    PutMetricData has no resource ARN (``*``); the ``cloudwatch:namespace`` condition key is
    what limits it. The CloudWatch agent's managed policy is not attached: no agent runs
    (the app publishes itself) and that policy allows every namespace.
    """
    statements: list[dict[str, object]] = [
        {
            "Sid": "ReadReleases",
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": [f"{artifact_bucket_arn}/releases/*"],
        }
    ]
    if secret_arns:
        statements.append(
            {
                "Sid": "ReadRuntimeSecrets",
                "Effect": "Allow",
                "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                "Resource": sorted(set(secret_arns)),
            }
        )
    statements.append(
        {
            "Sid": "PublishAppMetrics",
            "Effect": "Allow",
            "Action": ["cloudwatch:PutMetricData"],
            "Resource": ["*"],
            "Condition": {"StringEquals": {"cloudwatch:namespace": namespace}},
        }
    )
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, sort_keys=True)


def ssm_agent_policy(run_command: bool) -> str:
    """The SSM agent's own calls, without parameter or document reads (see SSM_AGENT_ACTIONS)."""
    actions = SSM_AGENT_ACTIONS + (RUN_COMMAND_ACTIONS if run_command else ())
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "SsmAgent",
                    "Effect": "Allow",
                    "Action": sorted(actions),
                    "Resource": ["*"],
                }
            ],
        },
        sort_keys=True,
    )


def drain_policy(group_arn: str) -> str:
    """CompleteLifecycleAction on one group; DescribeAutoScalingInstances (no resource ARN)."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "CompleteWorkerLifecycleAction",
                    "Effect": "Allow",
                    "Action": ["autoscaling:CompleteLifecycleAction"],
                    "Resource": [group_arn],
                },
                {
                    "Sid": "FindOwnGroup",
                    "Effect": "Allow",
                    "Action": ["autoscaling:DescribeAutoScalingInstances"],
                    "Resource": ["*"],
                },
            ],
        },
        sort_keys=True,
    )


def lattice_invoke_policy(resources: list[str]) -> str:
    """``vpc-lattice-svcs:Invoke`` on the given Lattice request resources and nothing else.

    Lattice authorises a call only when the caller's own policy allows it as well as the
    auth policies of the service network and the service (AWS_IAM auth).
    """
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "InvokeLatticeServices",
                    "Effect": "Allow",
                    "Action": ["vpc-lattice-svcs:Invoke"],
                    "Resource": sorted(set(resources)),
                }
            ],
        },
        sort_keys=True,
    )


class InstanceRole(pulumi.ComponentResource):
    """A role and instance profile for one kind of EC2 instance."""

    role: aws.iam.Role
    profile: aws.iam.InstanceProfile

    def __init__(
        self, name: str, args: InstanceRoleArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("green-matchers:compute:InstanceRole", name, None, opts)
        self.component_name = name
        self.role = role = aws.iam.Role(
            f"{name}-role",
            description=args.description,
            assume_role_policy=assume_role_policy("ec2.amazonaws.com"),
            tags=tags(args.tags, f"{name}-role"),
            opts=child(self),
        )
        aws.iam.RolePolicy(
            f"{name}-ssm-agent",
            role=role.id,
            policy=ssm_agent_policy(args.run_command),
            opts=child(self),
        )
        aws.iam.RolePolicy(
            f"{name}-runtime",
            role=role.id,
            policy=pulumi.Output.all(args.artifact_bucket_arn, *args.secret_arns).apply(
                lambda values: instance_policy(values[0], list(values[1:]))
            ),
            opts=child(self),
        )
        self.profile = aws.iam.InstanceProfile(
            f"{name}-profile",
            role=role.name,
            tags=tags(args.tags, f"{name}-profile"),
            opts=child(self),
        )
        self.register_outputs({"profileName": self.profile.name})

    def allow_drain(self, group_arn: pulumi.Input[str]) -> aws.iam.RolePolicy:
        """Let gm-drain complete the worker group's termination lifecycle hook (that group
        only) and find its own group (DescribeAutoScalingInstances takes no resource)."""
        return aws.iam.RolePolicy(
            f"{self.component_name}-drain",
            role=self.role.id,
            policy=pulumi.Output.from_input(group_arn).apply(drain_policy),
            opts=child(self),
        )

    def allow_invoke(self, resources: list[pulumi.Output[list[str]]]) -> aws.iam.RolePolicy:
        """Let this role call Lattice request resources (``<service arn>/<path>``), given as
        one list per service it calls."""
        return aws.iam.RolePolicy(
            f"{self.component_name}-lattice",
            role=self.role.id,
            policy=pulumi.Output.all(*resources).apply(
                lambda parts: lattice_invoke_policy([r for part in parts for r in part])
            ),
            opts=child(self),
        )
