"""App secrets: the session signing key, generated once and kept in Secrets Manager."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from infra.components.generated_secret import generated_secret
from infra.settings import StackTags


@dataclass(frozen=True)
class AppSecretsArgs:
    tags: StackTags


class AppSecrets(pulumi.ComponentResource):
    """Secrets the app reads at boot; only their ARNs ever leave this component."""

    session_secret: aws.secretsmanager.Secret

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
        self.register_outputs({"sessionSecretArn": self.session_secret.arn})
