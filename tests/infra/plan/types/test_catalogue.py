"""The resource type catalogue covers every type the four phases declare, and every
consumer reads it rather than a table of its own."""

from __future__ import annotations

import re

from infra.cost.pricers import PRICERS
from infra.diagram.graph import is_connector, tier
from infra.engines.handlers import HANDLERS
from infra.plan.model import Plan
from infra.plan.report import shown_inputs
from infra.plan.types import CATALOGUE, facts, forces_replacement, is_stateful, of_cost

CFN_TYPE = re.compile(r"^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+$")


def declared_types(plans: dict[int, Plan]) -> set[str]:
    return {r.type for plan in plans.values() for r in plan.custom_resources()}


def test_every_declared_type_is_catalogued_exported_or_listed_priced_or_free_and_emulated(
    plans: dict[int, Plan],
) -> None:
    declared = declared_types(plans)
    assert len(declared) > 40  # the four phases really were read
    for token in sorted(declared):
        entry = facts(token)
        assert entry is not None, f"{token} is not in infra/plan/types/entries.py"
        if entry.cloudformation is None:
            assert entry.cloudformation_note, f"{token}: no CloudFormation type and no reason"
        else:
            assert CFN_TYPE.match(entry.cloudformation), entry.cloudformation
        assert entry.cost in ("priced", "free"), f"{token} is neither priced nor free"
        assert token in HANDLERS, f"the local engine has no handler for {token}"


def test_catalogue_entries_are_consistent() -> None:
    for token, entry in CATALOGUE.items():
        assert token == entry.token
        assert entry.cloudformation is not None or entry.cloudformation_note, token
        assert not (entry.drawn and entry.connector), f"{token} is both drawn and plumbing"
    assert set(PRICERS) == of_cost("priced")


def test_consumers_read_the_catalogue() -> None:
    db = "aws:rds/instance:Instance"
    assert is_stateful(db) and not is_stateful("aws:ec2/vpc:Vpc")
    assert forces_replacement(db, "storageEncrypted")
    assert forces_replacement("aws:ec2/subnet:Subnet", "cidrBlock")
    assert not forces_replacement(db, "instanceClass")
    assert tier("aws:cloudfront/distribution:Distribution") == 1
    assert tier("aws:ec2/vpc:Vpc") is None
    assert is_connector("aws:lb/listener:Listener") and not is_connector("aws:ec2/vpc:Vpc")
    assert shown_inputs("aws:ec2/natGateway:NatGateway") == ()
    assert shown_inputs("aws:iam/role:Role") is None
    assert facts("pulumi:providers:aws") is not None
    assert facts("aws:opensearch/domain:Domain") is None


def test_buckets_and_their_parts_map_to_one_cloudformation_bucket() -> None:
    assert CATALOGUE["aws:s3/bucket:Bucket"].cloudformation == "AWS::S3::Bucket"
    versioning = CATALOGUE["aws:s3/bucketVersioning:BucketVersioning"]
    assert versioning.cloudformation is None
    assert "AWS::S3::Bucket" in versioning.cloudformation_note


def test_the_local_engine_replaces_on_a_create_only_change() -> None:
    from infra.engines.local import create_only_changes
    from infra.engines.state import ResourceState
    from infra.plan.model import PlannedResource

    subnet = "aws:ec2/subnet:Subnet"
    old = ResourceState(
        urn="urn:s",
        type=subnet,
        name="s",
        custom=True,
        protect=False,
        parent=None,
        dependencies=[],
        inputs={},
        resolved={"cidrBlock": "10.0.0.0/24", "tags": {"a": "1"}},
    )
    res = PlannedResource(urn="urn:s", type=subnet, name="s", custom=True, parent=None, inputs={})
    moved = {"cidrBlock": "10.0.1.0/24", "tags": {"a": "1"}}
    retagged = {"cidrBlock": "10.0.0.0/24", "tags": {"a": "2"}}
    assert create_only_changes(res, old, moved) == ["cidrBlock"]
    assert create_only_changes(res, old, retagged) == []  # tags change in place
