"""S3 buckets and their settings, the app artifact object, IAM roles and policies."""

from __future__ import annotations

import hashlib
from typing import Any

from botocore.exceptions import ClientError

from infra.engines.handlers.base import Applied, Context, Handler, same_again, tag_list
from infra.engines.state import ResourceState
from infra.plan.model import PlannedResource
from infra.stack_files import REPO_ROOT


def _bucket(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    name = str(inputs.get("bucket") or ctx.physical_name(res, 63)).lower()
    s3 = ctx.client("s3")
    if ctx.region == "us-east-1":
        s3.create_bucket(Bucket=name)
    else:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": ctx.region})
    if inputs.get("tags"):
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": tag_list(inputs)})
    return Applied(
        id=name,
        outputs={
            "bucket": name,
            "arn": f"arn:aws:s3:::{name}",
            "name": name,
            "bucketRegionalDomainName": f"{name}.s3.{ctx.region}.amazonaws.com",
        },
    )


def _object(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    source = inputs.get("source") or {}
    path = REPO_ROOT / str(source.get("asset", "")) if isinstance(source, dict) else None
    body = path.read_bytes() if path is not None and path.is_file() else b""
    ctx.client("s3").put_object(
        Bucket=inputs["bucket"],
        Key=inputs["key"],
        Body=body,
        ContentType=inputs.get("contentType", "application/octet-stream"),
        ServerSideEncryption=inputs.get("serverSideEncryption", "AES256"),
    )
    digest = hashlib.sha256(body).hexdigest()
    note = None if body else f"artifact {source} was not built; an empty object stands in"
    return Applied(
        id=f"{inputs['bucket']}/{inputs['key']}",
        outputs={"etag": digest, "versionId": ""},
        note=note,
    )


def _ownership(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    ctx.client("s3").put_bucket_ownership_controls(
        Bucket=inputs["bucket"],
        OwnershipControls={"Rules": [{"ObjectOwnership": inputs["rule"]["objectOwnership"]}]},
    )
    return Applied(id=inputs["bucket"])


def _public_access(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    ctx.client("s3").put_public_access_block(
        Bucket=inputs["bucket"],
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": bool(inputs.get("blockPublicAcls")),
            "IgnorePublicAcls": bool(inputs.get("ignorePublicAcls")),
            "BlockPublicPolicy": bool(inputs.get("blockPublicPolicy")),
            "RestrictPublicBuckets": bool(inputs.get("restrictPublicBuckets")),
        },
    )
    return Applied(id=inputs["bucket"])


def _encryption(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    rules = [
        {
            "ApplyServerSideEncryptionByDefault": {
                "SSEAlgorithm": r["applyServerSideEncryptionByDefault"]["sseAlgorithm"]
            },
            "BucketKeyEnabled": bool(r.get("bucketKeyEnabled", False)),
        }
        for r in inputs.get("rules", [])
    ]
    ctx.client("s3").put_bucket_encryption(
        Bucket=inputs["bucket"], ServerSideEncryptionConfiguration={"Rules": rules}
    )
    return Applied(id=inputs["bucket"])


def _versioning(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    status = inputs.get("versioningConfiguration", {}).get("status", "Enabled")
    ctx.client("s3").put_bucket_versioning(
        Bucket=inputs["bucket"], VersioningConfiguration={"Status": status}
    )
    return Applied(id=inputs["bucket"])


def _bucket_policy(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    ctx.client("s3").put_bucket_policy(Bucket=inputs["bucket"], Policy=inputs["policy"])
    return Applied(id=inputs["bucket"])


def _role(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    name = str(inputs.get("name") or ctx.physical_name(res, 64))
    role = ctx.client("iam").create_role(
        RoleName=name,
        AssumeRolePolicyDocument=inputs["assumeRolePolicy"],
        Description=inputs.get("description", ""),
        Tags=tag_list(inputs),
    )["Role"]
    return Applied(
        id=name, outputs={"arn": role["Arn"], "name": name, "uniqueId": role.get("RoleId", "")}
    )


def _update_role(
    ctx: Context, res: PlannedResource, old: ResourceState, inputs: dict[str, Any]
) -> Applied:
    ctx.client("iam").update_assume_role_policy(
        RoleName=old.id, PolicyDocument=inputs["assumeRolePolicy"]
    )
    return Applied(id=old.id, outputs=old.outputs)


def _profile(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    iam = ctx.client("iam")
    name = str(inputs.get("name") or ctx.physical_name(res, 128))
    profile = iam.create_instance_profile(InstanceProfileName=name)["InstanceProfile"]
    iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=inputs["role"])
    return Applied(id=name, outputs={"arn": profile["Arn"], "name": name})


def _delete_profile(ctx: Context, old: ResourceState) -> None:
    iam = ctx.client("iam")
    iam.remove_role_from_instance_profile(InstanceProfileName=old.id, RoleName=old.resolved["role"])
    iam.delete_instance_profile(InstanceProfileName=old.id)


def _role_policy(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    name = str(inputs.get("name") or ctx.physical_name(res, 128))
    ctx.client("iam").put_role_policy(
        RoleName=inputs["role"], PolicyName=name, PolicyDocument=inputs["policy"]
    )
    return Applied(id=f"{inputs['role']}:{name}", outputs={"name": name})


def _delete_role_policy(ctx: Context, old: ResourceState) -> None:
    role, _, name = old.id.partition(":")
    ctx.client("iam").delete_role_policy(RoleName=role, PolicyName=name)


def _attachment(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    attachment_id = f"{inputs['role']}-{inputs['policyArn'].rsplit('/', 1)[-1]}"
    try:
        ctx.client("iam").attach_role_policy(RoleName=inputs["role"], PolicyArn=inputs["policyArn"])
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "NoSuchEntity":
            raise
        return Applied(
            id=attachment_id,
            emulated=False,
            note=f"the emulator does not load AWS managed policies "
            f"({inputs['policyArn']}); AWS attaches it",
        )
    return Applied(id=attachment_id)


def _detach(ctx: Context, old: ResourceState) -> None:
    if old.emulated:
        ctx.client("iam").detach_role_policy(
            RoleName=old.resolved["role"], PolicyArn=old.resolved["policyArn"]
        )


SSE_CONFIGURATION = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
)

HANDLERS: dict[str, Handler] = {
    "aws:s3/bucket:Bucket": Handler(
        create=_bucket, delete=lambda ctx, old: ctx.client("s3").delete_bucket(Bucket=old.id)
    ),
    "aws:s3/bucketObjectv2:BucketObjectv2": Handler(
        create=_object,
        update=same_again(_object),
        delete=lambda ctx, old: ctx.client("s3").delete_object(
            Bucket=old.resolved["bucket"], Key=old.resolved["key"]
        ),
    ),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": Handler(
        create=_ownership, update=same_again(_ownership)
    ),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": Handler(
        create=_public_access, update=same_again(_public_access)
    ),
    SSE_CONFIGURATION: Handler(create=_encryption, update=same_again(_encryption)),
    "aws:s3/bucketVersioning:BucketVersioning": Handler(
        create=_versioning, update=same_again(_versioning)
    ),
    "aws:s3/bucketPolicy:BucketPolicy": Handler(
        create=_bucket_policy,
        update=same_again(_bucket_policy),
        delete=lambda ctx, old: ctx.client("s3").delete_bucket_policy(Bucket=old.id),
    ),
    "aws:iam/role:Role": Handler(
        create=_role,
        update=_update_role,
        delete=lambda ctx, old: ctx.client("iam").delete_role(RoleName=old.id),
    ),
    "aws:iam/instanceProfile:InstanceProfile": Handler(create=_profile, delete=_delete_profile),
    "aws:iam/rolePolicy:RolePolicy": Handler(
        create=_role_policy, update=same_again(_role_policy), delete=_delete_role_policy
    ),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": Handler(
        create=_attachment, delete=_detach
    ),
}
