"""The Plan as a CloudFormation template, for judging (cfn-lint, checkov), not for deploying.

One CloudFormation resource per Plan resource whose type has an equivalent
(``cloudformation_types.CFN_TYPES``); resources CloudFormation models as properties of
another are folded into it (``FOLDS``); the rest are listed in the template's Metadata
(``NO_EQUIVALENT`` or untranslated). Every resource's Metadata carries its Plan URN, so a
finding on a logical id maps back to the Plan.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from infra.export.cloudformation_types import (
    CFN_TYPES,
    FOLDS,
    IGW_TYPE,
    NO_EQUIVALENT,
    cloudformation_type,
)
from infra.export.references import OutputIndex, substitute
from infra.plan.model import Plan, PlannedResource

METADATA_KEY = "gm-infra"
DOCUMENTS = ("AssumeRolePolicyDocument", "PolicyDocument", "KeyPolicy", "Policy")
UNTRANSLATED = "no translation in infra/export/cloudformation_types.py yet"


@dataclass(frozen=True)
class Skipped:
    urn: str
    type: str
    name: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"urn": self.urn, "type": self.type, "name": self.name, "reason": self.reason}


@dataclass
class Export:
    """The template and how it relates to the Plan."""

    template: dict[str, Any]
    logical_ids: dict[str, str]  # Plan URN -> logical id (folded URNs -> their target's id)
    not_exported: list[Skipped] = field(default_factory=list)

    def urn_of(self, logical_id: str) -> str | None:
        metadata = self.template["Resources"].get(logical_id, {}).get("Metadata", {})
        urn = metadata.get(METADATA_KEY, {}).get("urn")
        return str(urn) if urn else None

    def identity(self, logical_id: str) -> tuple[str, str, str]:
        """URN, Plan name and Pulumi type of a logical id (the logical id alone if unknown)."""
        urn = self.urn_of(logical_id)
        if urn is None:
            return "", logical_id, ""
        return urn, urn.rsplit("::", 1)[-1], urn.split("::")[2].split("$")[-1]

    def to_json(self) -> str:
        return json.dumps(self.template, indent=2, sort_keys=False) + "\n"


def logical_id(name: str) -> str:
    """``gm-network-alb-sg`` -> ``GmNetworkAlbSg`` (CloudFormation allows ``[A-Za-z0-9]+``)."""
    words = re.split(r"[^A-Za-z0-9]+", name)
    text = "".join(w[:1].upper() + w[1:] for w in words if w)
    return text if text[:1].isalpha() else f"R{text}"


def assign_logical_ids(resources: list[PlannedResource]) -> dict[str, str]:
    """Unique, stable ids: the name, then the name plus its CloudFormation kind on a clash."""
    ids: dict[str, str] = {}
    used: set[str] = set()
    for resource in sorted(resources, key=lambda r: r.urn):
        base = logical_id(resource.name)
        candidate = base
        if candidate in used:
            kind = cloudformation_type(resource.type).rsplit("::", 1)[-1]
            candidate = f"{base}{kind}"
        number = 2
        while candidate in used:
            candidate, number = f"{base}{number}", number + 1
        used.add(candidate)
        ids[resource.urn] = candidate
    return ids


def export_plan(plan: Plan, region: str) -> Export:
    custom = plan.custom_resources()
    exported = [r for r in custom if r.type in CFN_TYPES]
    ids = assign_logical_ids(exported)
    index = OutputIndex.build(exported, ids, region)
    by_urn = plan.by_urn()
    resources: dict[str, dict[str, Any]] = {}
    for resource in exported:
        resources[ids[resource.urn]] = _resource(resource, index, ids)
    skipped: list[Skipped] = []
    for resource in custom:
        if resource.type in CFN_TYPES:
            continue
        fold = FOLDS.get(resource.type)
        target = _fold_target(resource, fold.into, by_urn) if fold else None
        if fold is not None and target is not None and target.urn in ids:
            logical = ids[target.urn]
            fold.apply(resources[logical]["Properties"], index.resolve(resource))
            resources[logical]["Metadata"][METADATA_KEY].setdefault("folded", []).append(
                resource.urn
            )
            ids[resource.urn] = logical
            continue
        reason = NO_EQUIVALENT.get(resource.type, UNTRANSLATED)
        skipped.append(Skipped(resource.urn, resource.type, resource.name, reason))
    _attach_gateways(resources)
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": (
            f"gm-infra export of stack {plan.stack} (phase {plan.phase}, {region}): for "
            "judging with cfn-lint and checkov, not for deploying. Deploy with Pulumi."
        ),
        "Metadata": {
            METADATA_KEY: {
                "project": plan.project,
                "stack": plan.stack,
                "phase": plan.phase,
                "region": region,
                "notExported": [s.to_dict() for s in skipped],
            }
        },
        "Resources": resources,
    }
    return Export(template, ids, skipped)


def _resource(resource: PlannedResource, index: OutputIndex, ids: dict[str, str]) -> dict[str, Any]:
    spec = CFN_TYPES[resource.type]
    inputs = index.resolve(resource)
    properties = spec.translate(inputs, resource.name)
    # Policy documents arrive as JSON text and are parsed by the translation; the ARNs in
    # them are outputs of other resources too.
    known = index.known_for(resource)
    for key in DOCUMENTS:
        if key in properties:
            properties[key] = substitute(properties[key], known)
    metadata: dict[str, Any] = {"urn": resource.urn}
    dropped = sorted(k for k in spec.dropped if k in resource.inputs)
    if dropped:
        metadata["inputsWithoutProperty"] = dropped
    out: dict[str, Any] = {
        "Type": cloudformation_type(resource.type),
        "Metadata": {METADATA_KEY: metadata},
        "Properties": properties,
    }
    policy = _deletion_policy(resource)
    if policy:
        out["DeletionPolicy"] = policy
        out["UpdateReplacePolicy"] = policy
    if resource.type == IGW_TYPE and isinstance(resource.inputs.get("vpcId"), str):
        metadata["attachTo"] = inputs.get("vpcId")
    return out


def _deletion_policy(resource: PlannedResource) -> str | None:
    """What ``protect`` and the final snapshot say happens when the resource goes away."""
    if resource.type == "aws:rds/instance:Instance" and not resource.inputs.get(
        "replicateSourceDb"
    ):
        return "Snapshot" if not resource.inputs.get("skipFinalSnapshot") else "Delete"
    if resource.type == "aws:elasticache/replicationGroup:ReplicationGroup":
        return "Snapshot" if resource.inputs.get("snapshotRetentionLimit") else "Delete"
    if resource.protect:
        return "Retain"
    return None


def _fold_target(
    resource: PlannedResource, into: str, by_urn: dict[str, PlannedResource]
) -> PlannedResource | None:
    for dependency in sorted(resource.dependencies):
        target = by_urn.get(dependency)
        if target is not None and target.type == into:
            return target
    return None


def _attach_gateways(resources: dict[str, dict[str, Any]]) -> None:
    """An internet gateway given a VPC is attached: an ``AWS::EC2::VPCGatewayAttachment``."""
    for logical, resource in list(resources.items()):
        metadata = resource["Metadata"][METADATA_KEY]
        vpc = metadata.pop("attachTo", None)
        if vpc is None:
            continue
        attachment = f"{logical}Attachment"
        resources[attachment] = {
            "Type": "AWS::EC2::VPCGatewayAttachment",
            "Metadata": {METADATA_KEY: {"urn": metadata["urn"]}},
            "Properties": {"InternetGatewayId": {"Ref": logical}, "VpcId": vpc},
        }
        # Routes through the gateway need the attachment first (cfn-lint E3xxx otherwise).
        for other in resources.values():
            props = other.get("Properties", {})
            if other["Type"] == "AWS::EC2::Route" and props.get("GatewayId") == {"Ref": logical}:
                other["DependsOn"] = [attachment]
