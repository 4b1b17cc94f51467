"""Misspelt config namespaces and keys in a stack file are errors naming the nearest known
one, never silently ignored."""

from __future__ import annotations

import pytest

from infra.errors import SettingsError
from infra.settings import settings_from_config

BASE = {"aws:region": "us-east-1", "green-matchers:phase": 2}


@pytest.mark.parametrize(
    ("key", "value", "suggested"),
    [
        ("green-matcher:api", {"maxSize": 3}, "green-matchers:api"),
        ("greenmatchers:phase", 2, "green-matchers:phase"),
        ("aws:regoin", "us-east-1", "aws:region"),
        ("aws:profil", "prod", "aws:profile"),
        ("green-matchers:apii", {"maxSize": 3}, "green-matchers:api"),
        ("green-matchers:databse", {"replicas": 1}, "green-matchers:database"),
        ("green-matchers:api", {"maxSzie": 3}, "green-matchers:api.maxSize"),
        ("green-matchers:cache", {"nodeTyp": "cache.t3.small"}, "green-matchers:cache.nodeType"),
    ],
)
def test_a_misspelt_key_names_the_nearest_known_one(
    key: str, value: object, suggested: str
) -> None:
    with pytest.raises(SettingsError) as raised:
        settings_from_config("s", {**BASE, key: value})
    assert raised.value.hint == f"did you mean {suggested}?"


def test_an_unrelated_namespace_is_refused_without_a_guess() -> None:
    with pytest.raises(SettingsError, match="unknown config namespace 'kubernetes'") as raised:
        settings_from_config("s", {**BASE, "kubernetes:context": "prod"})
    assert raised.value.hint is None


def test_known_aws_and_pulumi_keys_are_accepted() -> None:
    settings = settings_from_config(
        "s",
        {
            **BASE,
            "aws:profile": "prod",
            "aws:defaultTags": {"tags": {"team": "gm"}},
            "pulumi:tags": {},
        },
    )
    assert settings.region == "us-east-1"
