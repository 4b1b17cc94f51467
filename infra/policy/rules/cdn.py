"""CloudFront: HTTPS to viewers with TLS 1.2+."""

from __future__ import annotations

from infra.plan.inputs import as_bool, as_list, lookup
from infra.plan.model import PlannedResource
from infra.plan.types.tokens import DISTRIBUTION
from infra.policy.context import PlanIndex
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
    if as_bool(certificate.get("cloudfrontDefaultCertificate")) and not certificate.get(
        "acmCertificateArn"
    ):
        # The *.cloudfront.net certificate pins TLSv1 and cannot be changed; it needs a custom
        # domain and an ACM certificate to enforce TLSv1.2_2021.
        return "the default *.cloudfront.net certificate allows TLSv1; set an ACM certificate"
    version = certificate.get("minimumProtocolVersion")
    if version in TLS_ORDER and TLS_ORDER.index(version) >= TLS_ORDER.index(TLS_FLOOR):
        return None
    return f"viewerCertificate.minimumProtocolVersion is {version}; use {TLS_FLOOR} or newer"


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
)
