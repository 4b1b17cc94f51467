"""One stack promoted 1 -> 2 -> 3 -> 4 never changes an input that forces a replacement.

The same stack name at every phase, so physical names compare too. The inputs listed are
create-only in the AWS provider: a change to any of them replaces the resource.
"""

from __future__ import annotations

import pytest

from infra.plan.build import record_plan
from infra.plan.model import Plan
from infra.settings import settings_from_config

FORCES_REPLACEMENT: dict[str, list[str]] = {
    "aws:rds/instance:Instance": [
        "identifier",
        "engine",
        "dbName",
        "username",
        "storageEncrypted",
        "replicateSourceDb",
    ],
    "aws:elasticache/replicationGroup:ReplicationGroup": [
        "replicationGroupId",
        "atRestEncryptionEnabled",
        "engine",
        "port",
    ],
    "aws:ec2/vpc:Vpc": ["cidrBlock"],
    "aws:ec2/subnet:Subnet": ["cidrBlock", "availabilityZone", "vpcId"],
    "aws:ec2/securityGroup:SecurityGroup": ["description", "vpcId"],
    "aws:rds/parameterGroup:ParameterGroup": ["family"],
    "aws:s3/bucket:Bucket": ["bucket"],
    "aws:secretsmanager/secret:Secret": ["name"],
    "random:index/randomPassword:RandomPassword": ["length", "special"],
}


@pytest.fixture(scope="module")
def promoted() -> dict[int, Plan]:
    return {
        phase: record_plan(
            settings_from_config("prod", {"aws:region": "us-east-1", "green-matchers:phase": phase})
        )
        for phase in (1, 2, 3, 4)
    }


@pytest.mark.parametrize("phase", [1, 2, 3])
def test_promotion_keeps_every_create_only_input(promoted: dict[int, Plan], phase: int) -> None:
    before, after = promoted[phase].by_urn(), promoted[phase + 1].by_urn()
    for urn, old in before.items():
        keys = FORCES_REPLACEMENT.get(old.type)
        if keys is None or urn not in after:
            continue
        new = after[urn]
        for key in keys:
            assert old.inputs.get(key) == new.inputs.get(key), f"{old.name}.{key} changes"


@pytest.mark.parametrize("phase", [1, 2, 3])
def test_promotion_removes_nothing_stateful(promoted: dict[int, Plan], phase: int) -> None:
    after = promoted[phase + 1].by_urn()
    for urn, old in promoted[phase].by_urn().items():
        if old.protect:
            assert urn in after, f"{old.name} leaves the plan"
