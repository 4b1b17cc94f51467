"""Secrets: generated random values kept in Secrets Manager, read by instances at boot, and
the app's own secrets (the session signing key)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, cast

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from infra.components.common import Tagged, child, tags
from infra.settings import StackTags


def generated_secret(
    parent: pulumi.Resource,
    stack_tags: Tagged,
    *,
    value_name: str,
    secret_name: str,
    field: str,
    description: str,
    length: int = 64,
    fixed: dict[str, str] | None = None,
) -> tuple[random.RandomPassword, aws.secretsmanager.Secret]:
    """Alphanumeric value stored as ``{**fixed, field: value}``; both halves protected."""
    value = random.RandomPassword(
        value_name, length=length, special=False, opts=child(parent, protect=True)
    )
    secret = aws.secretsmanager.Secret(
        secret_name,
        description=description,
        recovery_window_in_days=30,
        tags=tags(stack_tags, secret_name),
        opts=child(parent, protect=True),
    )
    aws.secretsmanager.SecretVersion(
        f"{secret_name}-value",
        secret_id=secret.id,
        secret_string=pulumi.Output.secret(
            cast(
                Any,
                value.result.apply(
                    lambda text: json.dumps({**(fixed or {}), field: text}, sort_keys=True)
                ),
            )
        ),
        opts=child(parent),
    )
    return value, secret


@dataclass(frozen=True)
class AppSecretsArgs:
    tags: StackTags


class AppSecrets(pulumi.ComponentResource):
    """Secrets the app reads at boot; only their ARNs ever leave this component."""

    session_secret: aws.secretsmanager.Secret
    # The header CloudFront adds to every origin request and the ALB's rules require
    # (``X-Origin-Verify``): only CloudFront's requests reach the fleets.
    origin_verify_secret: aws.secretsmanager.Secret
    origin_verify_value: pulumi.Output[str]

    def __init__(self, name: str, args: AppSecretsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("green-matchers:security:AppSecrets", name, None, opts)
        _, self.session_secret = generated_secret(
            self,
            args.tags,
            value_name=f"{name}-session-key",
            secret_name=f"{name}-session",
            field="session_secret",
            description="Green Matchers session signing key, read by instances at boot",
        )
        origin_verify, self.origin_verify_secret = generated_secret(
            self,
            args.tags,
            value_name=f"{name}-origin-verify-value",
            secret_name=f"{name}-origin-verify",
            field="value",
            length=48,
            description="Header value CloudFront sends to the ALB; the ALB's rules require it",
        )
        # Not a Pulumi secret: a secret nested in the ALB's conditions or CloudFront's origins
        # would hide those whole lists from every preview and the Plan. The value is readable
        # by whoever may describe the ALB's rules anyway; the Plan redacts it (a minted value).
        self.origin_verify_value = pulumi.Output.unsecret(origin_verify.result)
        self.register_outputs(
            {
                "sessionSecretArn": self.session_secret.arn,
                "originVerifySecretArn": self.origin_verify_secret.arn,
            }
        )
