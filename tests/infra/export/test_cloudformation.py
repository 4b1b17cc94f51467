"""The CloudFormation rendering: every resource accounted for, inputs translated, references
turned into intrinsics, URNs in Metadata."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli import app
from infra.export.cloudformation import METADATA_KEY, UNTRANSLATED, Export
from infra.export.cloudformation_types import CFN_TYPES, FOLDS, NO_EQUIVALENT
from infra.export.references import OutputIndex
from infra.plan.model import Plan

PHASES = (1, 2, 3, 4)


def _resource(export: Export, name: str) -> dict[str, Any]:
    return next(
        r
        for r in export.template["Resources"].values()
        if r["Metadata"][METADATA_KEY]["urn"].endswith(f"::{name}")
        and not r["Type"].endswith("VPCGatewayAttachment")
    )


@pytest.mark.parametrize("phase", PHASES)
def test_every_plan_resource_is_exported_folded_or_listed(
    phase: int, phase_plans: dict[int, Plan], exports: dict[int, Export]
) -> None:
    plan, export = phase_plans[phase], exports[phase]
    exported = {r["Metadata"][METADATA_KEY]["urn"] for r in export.template["Resources"].values()}
    folded = {
        urn
        for r in export.template["Resources"].values()
        for urn in r["Metadata"][METADATA_KEY].get("folded", [])
    }
    listed = {s["urn"] for s in export.template["Metadata"][METADATA_KEY]["notExported"]}
    for resource in plan.custom_resources():
        where = [resource.urn in exported, resource.urn in folded, resource.urn in listed]
        assert where.count(True) == 1, (resource.name, resource.type, where)
        if resource.type in CFN_TYPES:
            assert resource.urn in exported
        elif resource.type in FOLDS:
            assert resource.urn in folded
        else:
            assert resource.type in NO_EQUIVALENT, f"{resource.type}: {UNTRANSLATED}"


def test_the_template_says_it_is_for_judging(exports: dict[int, Export]) -> None:
    template = exports[4].template
    assert "not for deploying" in template["Description"]
    assert template["Metadata"][METADATA_KEY]["region"] == "us-east-1"


@pytest.mark.parametrize("phase", PHASES)
def test_no_placeholder_of_a_producer_is_left(
    phase: int, phase_plans: dict[int, Plan], exports: dict[int, Export]
) -> None:
    """Every dependency's mock output (ids, ARNs, names) became a Ref, GetAtt or Sub."""
    plan, export = phase_plans[phase], exports[phase]
    exported = [r for r in plan.custom_resources() if r.urn in export.logical_ids]
    index = OutputIndex.build(
        [r for r in exported if r.type in CFN_TYPES], export.logical_ids, "us-east-1"
    )
    by_logical = {v: k for k, v in export.logical_ids.items() if k in index.by_urn}
    for logical, body in export.template["Resources"].items():
        urn = body["Metadata"][METADATA_KEY]["urn"]
        resource = plan.by_urn()[urn]
        placeholders = set(index.known_for(resource))
        left = _strings(body.get("Properties", {})) & placeholders
        assert not left, f"{logical}: {sorted(left)}"
    assert by_logical  # the index is not empty


def _strings(value: Any, key: str = "") -> set[str]:
    if key in {"Tags", "TagSpecifications"}:
        return set()
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return {s for k, v in value.items() for s in _strings(v, k)}
    if isinstance(value, list):
        return {s for v in value for s in _strings(v, key)}
    return set()


def test_translations_follow_cloudformation_names_nesting_and_units(
    exports: dict[int, Export],
) -> None:
    export = exports[4]
    asg = _resource(export, "gm-api-asg")["Properties"]
    lt_id = export.logical_ids[next(u for u in export.logical_ids if u.endswith("::gm-api-lt"))]
    assert asg["LaunchTemplate"] == {
        "LaunchTemplateId": {"Ref": lt_id},
        "Version": {"Fn::GetAtt": [lt_id, "LatestVersionNumber"]},
    }
    assert asg["MinSize"] == "2" and asg["MaxSize"] == "10"  # strings in CloudFormation
    assert asg["TargetGroupARNs"] == [{"Ref": "GmWebApiTg"}]

    tg = _resource(export, "gm-web-ai-ml-tg")["Properties"]
    assert (tg["HealthCheckIntervalSeconds"], tg["HealthCheckTimeoutSeconds"]) == (30, 5)
    assert {"Key": "stickiness.lb_cookie.duration_seconds", "Value": "3600"} in tg[
        "TargetGroupAttributes"
    ]

    bucket = _resource(export, "gm-artifact-bucket")
    props = bucket["Properties"]
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    assert props["PublicAccessBlockConfiguration"]["RestrictPublicBuckets"] is True
    sse = props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert sse["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    assert len(bucket["Metadata"][METADATA_KEY]["folded"]) == 4

    role = _resource(export, "gm-instance-role")["Properties"]
    assert "ManagedPolicyArns" not in role  # the SSM agent's calls are an inline policy
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Action"] == "sts:AssumeRole"

    db = _resource(export, "gm-db")
    assert db["Properties"]["AllocatedStorage"] == "100"
    assert db["Properties"]["DBParameterGroupName"] == {"Ref": "GmDbParams"}
    assert db["DeletionPolicy"] == "Snapshot"
    assert "[secret]" not in json.dumps(export.template)

    pool = _resource(export, "gm-db-proxy-0-pool")["Properties"]
    assert pool["DBInstanceIdentifiers"] == [{"Ref": "GmDb"}]
    assert pool["DBProxyName"] == {"Ref": "GmDbProxy0"}

    redis = _resource(export, "gm-redis")["Properties"]
    assert redis["NumCacheClusters"] == 3 and redis["AutomaticFailoverEnabled"] is True

    cdn = _resource(export, "gm-cdn-distribution")["Properties"]["DistributionConfig"]
    assert cdn["IPV6Enabled"] is True and cdn["CacheBehaviors"][0]["DefaultTTL"] == 86400
    assert cdn["Origins"][0]["OriginAccessControlId"] == {"Fn::GetAtt": ["GmCdnOac", "Id"]}


def test_cli_writes_the_template_and_lists_what_has_no_equivalent(tmp_path: Path) -> None:
    out = tmp_path / "phase1.json"
    result = CliRunner().invoke(
        app, ["export", "--phase", "1", "--format", "cloudformation", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    template = json.loads(out.read_text())
    assert template["AWSTemplateFormatVersion"] == "2010-09-09"
    assert "random:index/randomPassword:RandomPassword" in result.output  # listed on stderr
    listed = template["Metadata"][METADATA_KEY]["notExported"]
    assert {s["type"] for s in listed} <= set(NO_EQUIVALENT)


def test_cli_refuses_an_unknown_format() -> None:
    result = CliRunner().invoke(app, ["export", "--phase", "1", "--format", "terraform"])
    assert result.exit_code == 2
