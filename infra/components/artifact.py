"""App artifact: the ``app/`` package archived into a private S3 bucket for the user data."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_aws as aws

from infra.artifact_archive import build_app_archive
from infra.components.common import tags
from infra.components.private_bucket import private_bucket, tls_only_statement
from infra.settings import StackTags


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
