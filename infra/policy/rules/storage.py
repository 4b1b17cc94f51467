"""S3: buckets never public."""

from __future__ import annotations

from infra.plan.model import PlannedResource
from infra.policy.context import BUCKET, PlanIndex
from infra.policy.model import Rule


def bucket_public_access_blocked(bucket: PlannedResource, index: PlanIndex) -> str | None:
    if bucket.urn in index.blocked_buckets:
        return None
    return "no BucketPublicAccessBlock with all four settings true depends on this bucket"


RULES: tuple[Rule, ...] = (
    Rule(
        "GM-S3-1",
        "S3 public access is blocked",
        (BUCKET,),
        bucket_public_access_blocked,
        checkov=("CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56", "CKV2_AWS_6"),
        cdk_nag=("AwsSolutions-S2",),
    ),
)
