"""A generated secret: a random value kept in Secrets Manager, read by instances at boot."""

from __future__ import annotations

import json
from typing import Any, cast

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from infra.components.common import Tagged, child, tags


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
