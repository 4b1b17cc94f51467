"""A private, encrypted, versioned S3 bucket: the only kind of bucket the platform makes."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from infra.components.common import Tagged, tags


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
