"""Which config keys a stack file may hold, and the nearest known one for a misspelt key.

``green-matchers:*`` are this project's settings; ``aws:*`` are the AWS provider's own
(pulumi-aws v7's ``pulumi_aws/config/vars.py``); ``pulumi:*`` is Pulumi's own namespace,
which Pulumi checks itself. Any other namespace is a typo (``green-matcher:api``) that
Pulumi would silently hand to no one.
"""

from __future__ import annotations

import difflib

from pydantic.alias_generators import to_camel

from infra.errors import SettingsError
from infra.settings.models import PROJECT

AWS_PROVIDER_KEYS = frozenset(
    to_camel(name)
    for name in [
        "access_key",
        "allowed_account_ids",
        "assume_role_with_web_identity",
        "assume_roles",
        "custom_ca_bundle",
        "default_tags",
        "endpoints",
        "forbidden_account_ids",
        "http_proxy",
        "https_proxy",
        "ignore_tags",
        "insecure",
        "max_retries",
        "no_proxy",
        "profile",
        "region",
        "retry_mode",
        "secret_key",
        "shared_config_files",
        "shared_credentials_files",
        "skip_credentials_validation",
        "skip_metadata_api_check",
        "skip_region_validation",
        "skip_requesting_account_id",
        "sts_region",
        "tag_policy_compliance",
        "token",
        "token_bucket_rate_limiter_capacity",
        "use_dualstack_endpoint",
        "use_fips_endpoint",
        "user_agents",
    ]
)
NAMESPACES = (PROJECT, "aws", "pulumi")


def nearest(word: str, known: list[str] | tuple[str, ...] | frozenset[str]) -> str | None:
    """The known word closest to ``word``, if any is close."""
    found = difflib.get_close_matches(word, sorted(known), n=1, cutoff=0.6)
    return found[0] if found else None


def check_namespace(full_key: str, raw: object) -> None:
    """Refuse a key outside the known namespaces, or an ``aws:`` key the provider lacks."""
    namespace, _, key = full_key.partition(":")
    if namespace not in NAMESPACES:
        close = nearest(namespace, NAMESPACES)
        raise SettingsError(
            full_key,
            raw,
            f"unknown config namespace {namespace!r}; known namespaces are {', '.join(NAMESPACES)}",
            hint=f"did you mean {close}:{key}?" if close else None,
        )
    if namespace == "aws" and key not in AWS_PROVIDER_KEYS:
        close = nearest(key, AWS_PROVIDER_KEYS)
        raise SettingsError(
            full_key,
            raw,
            "not a setting of the AWS provider (pulumi-aws)",
            hint=f"did you mean aws:{close}?" if close else "e.g. aws:region",
        )


def unknown_key_hint(key: str, known: tuple[str, ...]) -> str | None:
    close = nearest(key, known)
    return f"did you mean {PROJECT}:{close}?" if close else None
