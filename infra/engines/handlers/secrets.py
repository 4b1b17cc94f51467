"""Secrets Manager secrets and versions, and the generated passwords (random provider)."""

from __future__ import annotations

import secrets
import string
from typing import Any

from infra.engines.handlers.base import Applied, Context, Handler, tag_list
from infra.plan.inputs import integer
from infra.plan.model import PlannedResource


def _secret(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    name = str(inputs.get("name") or ctx.physical_name(res, 256))
    found = ctx.client("secretsmanager").create_secret(
        Name=name, Description=inputs.get("description", ""), Tags=tag_list(inputs)
    )
    return Applied(id=found["ARN"], outputs={"arn": found["ARN"], "name": name})


def _secret_version(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    found = ctx.client("secretsmanager").put_secret_value(
        SecretId=inputs["secretId"], SecretString=str(inputs.get("secretString", ""))
    )
    return Applied(
        id=f"{inputs['secretId']}|{found['VersionId']}",
        outputs={"versionId": found["VersionId"], "arn": found["ARN"]},
    )


def _random_password(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    alphabet = string.ascii_letters + string.digits
    value = "".join(secrets.choice(alphabet) for _ in range(integer(inputs.get("length", 32))))
    # The plan shows this value as "[secret]" wherever it flows; map that to the real one.
    return Applied(id="none", outputs={"result": value})


HANDLERS: dict[str, Handler] = {
    "aws:secretsmanager/secret:Secret": Handler(
        create=_secret,
        delete=lambda ctx, old: ctx.client("secretsmanager").delete_secret(
            SecretId=old.id, ForceDeleteWithoutRecovery=True
        ),
    ),
    "aws:secretsmanager/secretVersion:SecretVersion": Handler(create=_secret_version),
    "random:index/randomPassword:RandomPassword": Handler(create=_random_password),
}
