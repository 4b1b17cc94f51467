"""App secrets: the session signing key, generated once and kept in Secrets Manager."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, cast

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from infra.components.common import child, tags
from infra.settings import Settings


@dataclass(frozen=True)
class AppSecretsArgs:
    settings: Settings


class AppSecrets(pulumi.ComponentResource):
    """Secrets the app reads at boot; only their ARNs ever leave this component."""

    session_secret: aws.secretsmanager.Secret

    def __init__(self, name: str, args: AppSecretsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("green-matchers:security:AppSecrets", name, None, opts)
        key = random.RandomPassword(
            f"{name}-session-key", length=64, special=False, opts=child(self, protect=True)
        )
        self.session_secret = aws.secretsmanager.Secret(
            f"{name}-session",
            description="Green Matchers session signing key, read by instances at boot",
            recovery_window_in_days=30,
            tags=tags(args.settings, f"{name}-session"),
            opts=child(self, protect=True),
        )
        aws.secretsmanager.SecretVersion(
            f"{name}-session-value",
            secret_id=self.session_secret.id,
            secret_string=pulumi.Output.secret(
                cast(Any, key.result.apply(lambda value: json.dumps({"session_secret": value})))
            ),
            opts=child(self),
        )
        self.register_outputs({"sessionSecretArn": self.session_secret.arn})
