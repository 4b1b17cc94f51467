"""Instance roles: a fleet's role reads exactly the runtime secrets its boot script fetches.

The boot script (user data) names the secrets the instance fetches (boot.json, ARNs only);
the role's runtime policy (``ReadRuntimeSecrets``) names the secrets it may read. A secret
named but not readable fails the boot; a secret readable by a role but fetched by none of
the fleets that use it is a grant the service does not need (phase 4: each service's role
reads only what its service uses, ``infra/render/access.py``).

Judged when the plan knows both (the recording mocks resolve them); in a preview whose ARNs
are still unknown there is nothing to compare.
"""

from __future__ import annotations

import base64
import binascii
import json
import re

from infra.plan.model import PlannedResource
from infra.plan.types.tokens import LAUNCH_TEMPLATE
from infra.policy.context import PlanIndex
from infra.policy.model import Rule
from infra.render.userdata import extract_files

INSTANCE_PROFILE = "aws:iam/instanceProfile:InstanceProfile"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
BOOT_JSON = "/etc/green-matchers/boot.json"
SECRET_ARN = re.compile(r"arn:aws[a-z-]*:secretsmanager:[^\"\s,\]]+")
READ_SID = "ReadRuntimeSecrets"
NO_COUNTERPART = "checkov 3.3 and cdk-nag cannot relate a role's grants to the user data's reads"


def fetched_secrets(template: PlannedResource) -> set[str] | None:
    """The secret ARNs a launch template's boot.json names; None when it has none to read."""
    text = template.inputs.get("userData")
    if not isinstance(text, str):
        return None
    try:
        script = base64.b64decode(text, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    boot = extract_files(script).get(BOOT_JSON)
    return None if boot is None else set(SECRET_ARN.findall(boot))


def _linked(resource: PlannedResource, index: PlanIndex, type_token: str) -> list[str]:
    return [
        urn
        for urn in resource.dependencies
        if urn in index.resources and index.resources[urn].type == type_token
    ]


def role_of(template: PlannedResource, index: PlanIndex) -> str | None:
    """The URN of the role behind the template's instance profile."""
    for profile in _linked(template, index, INSTANCE_PROFILE):
        roles = _linked(index.resources[profile], index, ROLE)
        if roles:
            return roles[0]
    return None


def readable_secrets(role: str, index: PlanIndex) -> set[str] | None:
    """The secret ARNs the role's inline policies let it read; None if one is unknown."""
    found: set[str] = set()
    for policy in index.resources.values():
        if policy.type != ROLE_POLICY or role not in policy.dependencies:
            continue
        text = policy.inputs.get("policy")
        if not isinstance(text, str):
            return None
        try:
            document = json.loads(text)
        except json.JSONDecodeError:
            return None
        for statement in document.get("Statement", []):
            if isinstance(statement, dict) and statement.get("Sid") == READ_SID:
                found |= set(SECRET_ARN.findall(json.dumps(statement.get("Resource"))))
    return found


def reads_what_it_fetches(template: PlannedResource, index: PlanIndex) -> str | None:
    fetched = fetched_secrets(template)
    role = role_of(template, index)
    if fetched is None or role is None:
        return None
    readable = readable_secrets(role, index)
    if readable is None:
        return None
    refused = sorted(fetched - readable)
    if refused:
        return f"its boot script fetches secrets its role cannot read: {', '.join(refused)}"
    # Fleets sharing the role (api and worker): the role may read what any of them fetches.
    used = set(fetched)
    for other in index.resources.values():
        if other.type == LAUNCH_TEMPLATE and role_of(other, index) == role:
            used |= fetched_secrets(other) or set()
    unused = sorted(readable - used)
    if unused:
        return (
            f"its role may read secrets no fleet using it fetches (its service does not use "
            f"them): {', '.join(unused)}"
        )
    return None


RULES: tuple[Rule, ...] = (
    Rule(
        "GM-IAM-1",
        "An instance role reads exactly the runtime secrets its fleets fetch",
        (LAUNCH_TEMPLATE,),
        reads_what_it_fetches,
        no_counterpart=NO_COUNTERPART,
    ),
)
