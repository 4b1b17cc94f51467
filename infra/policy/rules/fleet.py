"""EC2 launch templates: IMDSv2 only, and no secret in user data."""

from __future__ import annotations

import base64
import binascii
import re

from infra.plan.inputs import lookup
from infra.plan.model import SECRET, PlannedResource
from infra.plan.types.tokens import EC2_INSTANCE as INSTANCE
from infra.plan.types.tokens import LAUNCH_TEMPLATE
from infra.policy.context import PlanIndex
from infra.policy.model import Rule

# A value counts as a reference (fine) when it is a shell, f-string or template expansion.
_REFERENCE = r"(?:\$|\{|%\(|arn:)"  # ARNs name a secret, they are not one


_CREDENTIAL = r"[A-Z0-9_]*(?:PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|ACCESS_KEY)[A-Z0-9_]*"


SECRET_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("an AWS access key id", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("a private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
    (
        "a password in a URL",
        re.compile(r"[a-z][a-z0-9+.-]*://[^:/@\s{}$]+:(?!" + _REFERENCE + r")[^@\s/]{3,}@", re.I),
    ),
    (
        # KEY = "literal", "key": "literal", key: 'literal'
        "a hard-coded credential",
        re.compile(
            r"\b" + _CREDENTIAL + r"['\"]?\s*[=:]\s*(['\"])(?!" + _REFERENCE + r")[^'\"\s]{8,}\1",
            re.I,
        ),
    ),
    (
        # export KEY=literal (a shell assignment, unquoted)
        "a hard-coded credential",
        re.compile(
            r"^\s*(?:export\s+)?" + _CREDENTIAL + r"=(?![$'\"(])[^\s'\"]{8,}\s*$", re.I | re.M
        ),
    ),
)


def decode_user_data(value: str) -> str:
    """Launch templates carry base64; instances may carry plain text."""
    try:
        return base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return value


def find_secret(text: str) -> str | None:
    """Where and what the first secret-looking thing in ``text`` is, or None."""
    for kind, pattern in SECRET_PATTERNS:
        if match := pattern.search(text):
            return f"{kind} on line {text.count(chr(10), 0, match.start()) + 1}"
    return None


def imdsv2_required(template: PlannedResource, index: PlanIndex) -> str | None:
    tokens = lookup(template.inputs, "metadataOptions.httpTokens")
    if tokens == "required":
        return None
    if lookup(template.inputs, "metadataOptions.httpEndpoint") == "disabled":
        return None
    return f"metadataOptions.httpTokens is {tokens or 'unset (optional)'}; set it to required"


def no_secret_in_user_data(template: PlannedResource, index: PlanIndex) -> str | None:
    raw = template.inputs.get("userData") or template.inputs.get("userDataBase64")
    if not raw:
        return None
    if raw == SECRET:
        return "userData is built from a secret value: fetch secrets at boot instead"
    kind = find_secret(decode_user_data(str(raw)))
    if kind:
        return f"userData contains {kind}: fetch it from Secrets Manager at boot"
    return None


RULES: tuple[Rule, ...] = (
    Rule(
        "GM-EC2-1",
        "Instances require IMDSv2",
        (LAUNCH_TEMPLATE, INSTANCE),
        imdsv2_required,
        checkov=("CKV_AWS_79",),
        cdk_nag=("NIST.800.53.R5-EC2IMDSv2Enabled",),
    ),
    Rule(
        "GM-EC2-2",
        "No secret in user data",
        (LAUNCH_TEMPLATE, INSTANCE),
        no_secret_in_user_data,
        checkov=("CKV_AWS_46",),
    ),
)
