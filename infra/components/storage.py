"""Storage: the private, encrypted, versioned S3 bucket (the only kind of bucket the platform
makes) and the app artifact, the ``app/`` package archived into one for the user data."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_aws as aws

from infra.artifact_archive import build_app_archive
from infra.components.common import Tagged, tags
from infra.settings import StackTags


def private_bucket(
    name: str, stack_tags: Tagged, parent: pulumi.Resource, *, protect: bool = True
) -> aws.s3.Bucket:
    """Bucket with public access blocked, SSE, versioning and bucket-owner-enforced objects."""
    bucket = aws.s3.Bucket(
        name,
        force_destroy=False,
        tags=tags(stack_tags, name),
        opts=pulumi.ResourceOptions(parent=parent, protect=protect),
    )
    opts = pulumi.ResourceOptions(parent=parent)
    aws.s3.BucketPublicAccessBlock(
        f"{name}-public-access",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=opts,
    )
    aws.s3.BucketOwnershipControls(
        f"{name}-ownership",
        bucket=bucket.id,
        rule={"object_ownership": "BucketOwnerEnforced"},
        opts=opts,
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{name}-sse",
        bucket=bucket.id,
        rules=[
            {
                "apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"},
                "bucket_key_enabled": True,
            }
        ],
        opts=opts,
    )
    aws.s3.BucketVersioning(
        f"{name}-versioning",
        bucket=bucket.id,
        versioning_configuration={"status": "Enabled"},
        opts=opts,
    )
    return bucket


def tls_only_statement(bucket_arn: str) -> dict[str, object]:
    """Deny every request to the bucket that does not arrive over TLS."""
    return {
        "Sid": "TlsOnly",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, f"{bucket_arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


@dataclass(frozen=True)
class ArtifactArgs:
    tags: StackTags
    repo_root: Path


class AppArtifact(pulumi.ComponentResource):
    """A content-addressed release archive: a new app version gets a new key."""

    bucket: aws.s3.Bucket
    key: str

    def __init__(self, name: str, args: ArtifactArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("green-matchers:artifact:AppArtifact", name, None, opts)
        archive = build_app_archive(args.repo_root)
        self.key = f"releases/app-{archive.sha256[:16]}.tar.gz"
        self.bucket = private_bucket(f"{name}-bucket", args.tags, self)
        aws.s3.BucketObjectv2(
            f"{name}-release",
            bucket=self.bucket.id,
            key=self.key,
            source=pulumi.FileAsset(str(archive.path)),
            content_type="application/gzip",
            server_side_encryption="AES256",
            tags=tags(args.tags, f"{name}-release", Sha256=archive.sha256),
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.s3.BucketPolicy(
            f"{name}-bucket-policy",
            bucket=self.bucket.id,
            policy=self.bucket.arn.apply(
                lambda arn: json.dumps(
                    {"Version": "2012-10-17", "Statement": [tls_only_statement(arn)]},
                    sort_keys=True,
                )
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"bucket": self.bucket.bucket, "key": self.key})
