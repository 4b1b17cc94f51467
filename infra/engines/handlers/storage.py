"""S3: private buckets, their access controls, encryption and versioning, and the objects
(the app artifact, the CDN's static files)."""

from __future__ import annotations

import hashlib
from typing import Any

from infra.engines.handlers.base import Applied, Context, Handler, same_again, tag_list
from infra.paths import project
from infra.plan.model import PlannedResource


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
    path = project().root / str(source.get("asset", "")) if isinstance(source, dict) else None
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
}
