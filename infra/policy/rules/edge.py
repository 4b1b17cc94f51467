"""CloudFront and S3: HTTPS to viewers with TLS 1.2+, buckets never public."""

from __future__ import annotations

from infra.plan.model import PlannedResource
from infra.plan.types.tokens import DISTRIBUTION
from infra.policy.context import BUCKET, PlanIndex
from infra.policy.inputs import as_list, is_true, lookup
from infra.policy.model import Rule

HTTPS_POLICIES = frozenset({"redirect-to-https", "https-only"})
# CloudFront viewer policies, oldest first; TLSv1.2_2021 is the floor.
TLS_ORDER = (
    "SSLv3",
    "TLSv1",
    "TLSv1_2016",
    "TLSv1.1_2016",
    "TLSv1.2_2018",
    "TLSv1.2_2019",
    "TLSv1.2_2021",
    "TLSv1.2_2025",
    "TLSv1.3_2025",
)
TLS_FLOOR = "TLSv1.2_2021"


def cdn_https_only(cdn: PlannedResource, index: PlanIndex) -> str | None:
    behaviors = [("defaultCacheBehavior", lookup(cdn.inputs, "defaultCacheBehavior") or {})]
    behaviors += [
        (f"orderedCacheBehaviors[{n}]", b)
        for n, b in enumerate(as_list(cdn.inputs.get("orderedCacheBehaviors")))
    ]
    for where, behavior in behaviors:
        policy = behavior.get("viewerProtocolPolicy") if isinstance(behavior, dict) else None
        if policy not in HTTPS_POLICIES:
            return f"{where}.viewerProtocolPolicy is {policy}; use redirect-to-https"
    return None


def cdn_modern_tls(cdn: PlannedResource, index: PlanIndex) -> str | None:
    certificate = lookup(cdn.inputs, "viewerCertificate") or {}
    if is_true(certificate.get("cloudfrontDefaultCertificate")) and not certificate.get(
        "acmCertificateArn"
    ):
        # The *.cloudfront.net certificate pins TLSv1 and cannot be changed; it needs a custom
        # domain and an ACM certificate to enforce TLSv1.2_2021.
        return "the default *.cloudfront.net certificate allows TLSv1; set an ACM certificate"
    version = certificate.get("minimumProtocolVersion")
    if version in TLS_ORDER and TLS_ORDER.index(version) >= TLS_ORDER.index(TLS_FLOOR):
        return None
    return f"viewerCertificate.minimumProtocolVersion is {version}; use {TLS_FLOOR} or newer"


def bucket_public_access_blocked(bucket: PlannedResource, index: PlanIndex) -> str | None:
    if bucket.urn in index.blocked_buckets:
        return None
    return "no BucketPublicAccessBlock with all four settings true depends on this bucket"


RULES: tuple[Rule, ...] = (
    Rule(
        "GM-CDN-1",
        "CloudFront sends viewers to HTTPS",
        (DISTRIBUTION,),
        cdn_https_only,
        checkov=("CKV_AWS_34",),
    ),
    Rule(
        "GM-CDN-2",
        "CloudFront requires TLSv1.2_2021 or newer",
        (DISTRIBUTION,),
        cdn_modern_tls,
        checkov=("CKV_AWS_174",),
        cdk_nag=("AwsSolutions-CFR4",),
    ),
    Rule(
        "GM-S3-1",
        "S3 public access is blocked",
        (BUCKET,),
        bucket_public_access_blocked,
        checkov=("CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56", "CKV2_AWS_6"),
        cdk_nag=("AwsSolutions-S2",),
    ),
)
