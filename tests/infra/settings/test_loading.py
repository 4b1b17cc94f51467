"""Settings: phase profiles, stack overrides, and one clear error per bad value."""

from __future__ import annotations

from typing import Any

import pytest

from infra.errors import SettingsError
from infra.settings import settings_from_config
from infra.stack_files import settings_for_phase

CERT_US_EAST_1 = (
    "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"
)
CERT_EU_WEST_1 = CERT_US_EAST_1.replace("us-east-1", "eu-west-1")


def config(phase: int = 2, **own: Any) -> dict[str, Any]:
    return {
        "aws:region": "us-east-1",
        "green-matchers:phase": phase,
        **{f"green-matchers:{key}": value for key, value in own.items()},
    }


def test_profiles_carry_the_source_documents_numbers() -> None:
    p1, p2, p3, p4 = (settings_for_phase(n).config for n in (1, 2, 3, 4))
    assert (p1.api.min_size, p1.api.desired_capacity) == (1, 1)
    assert (p2.api.min_size, p2.api.desired_capacity, p2.api.max_size) == (2, 3, 10)
    assert p2.api.instance_type == "t3.medium"
    assert p1.database.read_replicas == 0 and p2.database.read_replicas >= 1
    assert p3.database.shards == 3 and p3.database.multi_az and p3.database.proxy
    assert p1.cache.nodes == 1 and p2.cache.nodes >= 2
    assert not p1.sticky_sessions and p2.sticky_sessions
    assert p1.workers is None and p2.workers is not None
    assert p3.services is None and p4.services is not None
    assert p4.capacity.users == "100,000-500,000"


def test_stack_overrides_merge_over_the_profile() -> None:
    settings = settings_from_config("s", config(2, api={"maxSize": 12}))
    assert settings.config.api.max_size == 12
    assert settings.config.api.min_size == 2  # untouched keys keep the profile's value


def test_structured_config_may_arrive_as_json_text() -> None:
    settings = settings_from_config("s", config(2, api='{"maxSize": 14}'))
    assert settings.config.api.max_size == 14


@pytest.mark.parametrize(
    ("cfg", "key", "allowed"),
    [
        (config(7), "green-matchers:phase", "phases run from 1 to 4"),
        (config(0), "green-matchers:phase", "phases run from 1 to 4"),
        (config("two"), "green-matchers:phase", "phases run from 1 to 4"),
        (
            config(2, api={"minSize": 5, "maxSize": 4}),
            "green-matchers:api.minSize",
            "at most maxSize",
        ),
        (
            config(2, api={"desiredCapacity": 11}),
            "green-matchers:api.desiredCapacity",
            "between minSize (2) and maxSize (10)",
        ),
        (
            config(2, database={"readReplicas": 16}),
            "green-matchers:database.readReplicas",
            "RDS limit",
        ),
        (
            config(2, database={"instanceClass": "t3.medium"}),
            "green-matchers:database.instanceClass",
            "RDS instance class",
        ),
        (
            config(2, api={"instanceType": "db.r6g.large"}),
            "green-matchers:api.instanceType",
            "EC2 instance type",
        ),
        (
            config(2, cache={"nodeType": "r6g.large"}),
            "green-matchers:cache.nodeType",
            "ElastiCache node type",
        ),
        (config(2, flavour="green"), "green-matchers:flavour", "known keys are"),
        (config(2, api={"minSise": 2}), "green-matchers:api.minSise", "unknown key"),
        (
            config(2, database={"shards": 3}),
            "green-matchers:database.shards",
            "sharding starts in phase 3",
        ),
        (
            config(1, database={"readReplicas": 1}),
            "green-matchers:database.readReplicas",
            "start in phase 2",
        ),
        (config(2, cache={"nodes": 1}), "green-matchers:cache.nodes", "automatic failover"),
        (
            config(2, database={"backupRetentionDays": 3}),
            "green-matchers:database.backupRetentionDays",
            "7 to 35",
        ),
        (
            config(2, certificateArn="arn:aws:iam::1:cert/x"),
            "green-matchers:certificateArn",
            "ACM certificate ARN",
        ),
        (config(1, workers={"minSize": 1}), "green-matchers:workers", "start in phase 2"),
        ({"green-matchers:phase": 2}, "aws:region", "AWS region"),
        (
            config(2, network={"vpcCidr": "10.0.0.1/16"}),
            "green-matchers:network.vpcCidr",
            "private IPv4 network",
        ),
        (
            config(2, network={"vpcCidr": "8.8.0.0/16"}),
            "green-matchers:network.vpcCidr",
            "private IPv4 network",
        ),
        (config(2, network={"azCount": 1}), "green-matchers:network.azCount", "at least 2"),
        (
            config(2, api={"instanceType": "m7g.large"}),
            "green-matchers:api.instanceType",
            "EC2 instance type",
        ),
        (
            config(2, database={"instanceClass": "db.r6g.micro"}),
            "green-matchers:database.instanceClass",
            "RDS instance class",
        ),
        (
            config(2, cache={"nodeType": "cache.r6g.small"}),
            "green-matchers:cache.nodeType",
            "ElastiCache node type",
        ),
        (config(2, api={"cpuTarget": 95}), "green-matchers:api.cpuTarget", "10 to 90"),
        (
            config(2, database={"engineVersion": "11.4"}),
            "green-matchers:database.engineVersion",
            "MariaDB 10.11",
        ),
        (
            config(2, database={"maxAllocatedStorage": 50}),
            "green-matchers:database.maxAllocatedStorage",
            "at least allocatedStorage",
        ),
        (config(2, alarmEmail="ops"), "green-matchers:alarmEmail", "e-mail address"),
        (config(2, amiId="ubuntu"), "green-matchers:amiId", "AMI id"),
        (
            config(2, certificateArn=CERT_US_EAST_1),
            "green-matchers:certificateArn",
            "only with green-matchers:domain",
        ),
        (
            config(2, certificateArn=CERT_EU_WEST_1, domain="greenmatchers.com"),
            "green-matchers:certificateArn",
            "stack's region us-east-1",
        ),
        (
            config(2, cdnCertificateArn=CERT_EU_WEST_1, domain="greenmatchers.com"),
            "green-matchers:cdnCertificateArn",
            "us-east-1",
        ),
    ],
)
def test_each_bad_value_names_key_value_and_what_is_allowed(
    cfg: dict[str, Any], key: str, allowed: str
) -> None:
    with pytest.raises(SettingsError) as caught:
        settings_from_config("s", cfg)
    error = caught.value
    assert error.key == key
    assert allowed in error.allowed
    assert key in error.message and "\n" not in error.message


def test_the_largest_allowed_database_still_fits_ec2_user_data() -> None:
    from infra.userdata_budget import EC2_USER_DATA_LIMIT, largest_user_data

    settings = settings_from_config(
        "a-rather-long-stack-name-for-production",
        config(3, database={"shards": 16, "readReplicas": 15}),
    )
    assert largest_user_data(settings) <= EC2_USER_DATA_LIMIT


def test_user_data_over_the_ec2_limit_is_a_settings_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """Valid settings, but too many hosts for EC2's user data: the program refuses them
    before declaring anything (validating settings renders no templates)."""
    import infra.userdata_budget as budget
    from infra.plan.build import record_plan

    monkeypatch.setattr(budget, "EC2_USER_DATA_LIMIT", 4096)
    settings = settings_from_config("s", config(3))
    with pytest.raises(SettingsError) as caught:
        record_plan(settings)
    assert caught.value.key == "green-matchers:database"
    assert "fits EC2's 4096 bytes" in caught.value.allowed
