"""CloudFront: the distribution and its origin access control."""

from __future__ import annotations

from typing import Any

from infra.engines.handlers.base import Applied, Context, Handler
from infra.engines.state import ResourceState
from infra.plan.inputs import integer
from infra.plan.model import PlannedResource


def _items(values: list[Any]) -> dict[str, Any]:
    return {"Quantity": len(values), "Items": list(values)}


def _methods(behavior: dict[str, Any]) -> dict[str, Any]:
    allowed = _items(behavior.get("allowedMethods", ["GET", "HEAD"]))
    allowed["CachedMethods"] = _items(behavior.get("cachedMethods", ["GET", "HEAD"]))
    return allowed


def _behavior(behavior: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "TargetOriginId": behavior["targetOriginId"],
        "ViewerProtocolPolicy": behavior.get("viewerProtocolPolicy", "redirect-to-https"),
        "AllowedMethods": _methods(behavior),
        "Compress": bool(behavior.get("compress", True)),
    }
    for key, name in (
        ("cachePolicyId", "CachePolicyId"),
        ("originRequestPolicyId", "OriginRequestPolicyId"),
        ("responseHeadersPolicyId", "ResponseHeadersPolicyId"),
    ):
        if behavior.get(key):
            out[name] = behavior[key]
    if "forwardedValues" in behavior:
        forwarded = behavior["forwardedValues"]
        out["ForwardedValues"] = {
            "QueryString": bool(forwarded.get("queryString", False)),
            "Cookies": {"Forward": forwarded.get("cookies", {}).get("forward", "none")},
        }
        out["MinTTL"] = integer(behavior.get("minTtl", 0))
        out["DefaultTTL"] = integer(behavior.get("defaultTtl", 86400))
        out["MaxTTL"] = integer(behavior.get("maxTtl", 31536000))
    if "pathPattern" in behavior:
        out["PathPattern"] = behavior["pathPattern"]
    return out


def _origin(origin: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"Id": origin["originId"], "DomainName": origin["domainName"]}
    custom = origin.get("customOriginConfig")
    if custom:
        out["CustomOriginConfig"] = {
            "HTTPPort": integer(custom.get("httpPort", 80)),
            "HTTPSPort": integer(custom.get("httpsPort", 443)),
            "OriginProtocolPolicy": custom.get("originProtocolPolicy", "https-only"),
            "OriginSslProtocols": _items(custom.get("originSslProtocols", ["TLSv1.2"])),
            "OriginReadTimeout": integer(custom.get("originReadTimeout", 30)),
            "OriginKeepaliveTimeout": integer(custom.get("originKeepaliveTimeout", 5)),
        }
    else:
        out["S3OriginConfig"] = {"OriginAccessIdentity": ""}
        if origin.get("originAccessControlId"):
            out["OriginAccessControlId"] = origin["originAccessControlId"]
    return out


def _distribution_config(reference: str, inputs: dict[str, Any]) -> dict[str, Any]:
    certificate = inputs.get("viewerCertificate") or {"cloudfrontDefaultCertificate": True}
    viewer: dict[str, Any] = (
        {"CloudFrontDefaultCertificate": True}
        if certificate.get("cloudfrontDefaultCertificate")
        else {
            "ACMCertificateArn": certificate["acmCertificateArn"],
            "SSLSupportMethod": certificate.get("sslSupportMethod", "sni-only"),
            "MinimumProtocolVersion": certificate.get("minimumProtocolVersion", "TLSv1.2_2021"),
        }
    )
    config: dict[str, Any] = {
        "CallerReference": reference,
        "Comment": inputs.get("comment", ""),
        "Enabled": bool(inputs.get("enabled", True)),
        "PriceClass": inputs.get("priceClass", "PriceClass_All"),
        "HttpVersion": inputs.get("httpVersion", "http2"),
        "IsIPV6Enabled": bool(inputs.get("isIpv6Enabled", True)),
        "Origins": _items([_origin(o) for o in inputs["origins"]]),
        "DefaultCacheBehavior": _behavior(inputs["defaultCacheBehavior"]),
        "CacheBehaviors": _items([_behavior(b) for b in inputs.get("orderedCacheBehaviors", [])]),
        "Restrictions": {"GeoRestriction": {"RestrictionType": "none", "Quantity": 0}},
        "ViewerCertificate": viewer,
    }
    if inputs.get("aliases"):
        config["Aliases"] = _items(inputs["aliases"])
    return config


def _distribution_outputs(dist: dict[str, Any]) -> dict[str, Any]:
    return {
        "arn": dist.get("ARN", ""),
        "domainName": dist.get("DomainName", ""),
        "status": dist.get("Status", ""),
        "hostedZoneId": "Z2FDTNDATAQYW2",
    }


def _distribution(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    reference = ctx.physical_name(res)
    found = ctx.client("cloudfront").create_distribution(
        DistributionConfig=_distribution_config(reference, inputs)
    )
    dist = found["Distribution"]
    return Applied(
        id=dist["Id"], outputs={**_distribution_outputs(dist), "callerReference": reference}
    )


def _update_distribution(
    ctx: Context, res: PlannedResource, old: ResourceState, inputs: dict[str, Any]
) -> Applied:
    cloudfront = ctx.client("cloudfront")
    etag = cloudfront.get_distribution_config(Id=old.id)["ETag"]
    reference = str(old.outputs.get("callerReference") or ctx.physical_name(res))
    dist = cloudfront.update_distribution(
        Id=old.id, IfMatch=etag, DistributionConfig=_distribution_config(reference, inputs)
    )["Distribution"]
    return Applied(id=old.id, outputs={**old.outputs, **_distribution_outputs(dist)})


def _delete_distribution(ctx: Context, old: ResourceState) -> None:
    cloudfront = ctx.client("cloudfront")
    etag = cloudfront.get_distribution_config(Id=old.id)["ETag"]
    cloudfront.delete_distribution(Id=old.id, IfMatch=etag)


def _oac(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    name = str(inputs.get("name") or ctx.physical_name(res, 64))
    found = ctx.client("cloudfront").create_origin_access_control(
        OriginAccessControlConfig={
            "Name": name,
            "Description": inputs.get("description", ""),
            "SigningProtocol": inputs.get("signingProtocol", "sigv4"),
            "SigningBehavior": inputs.get("signingBehavior", "always"),
            "OriginAccessControlOriginType": inputs.get("originAccessControlOriginType", "s3"),
        }
    )["OriginAccessControl"]
    return Applied(id=found["Id"], outputs={"name": name})


def _delete_oac(ctx: Context, old: ResourceState) -> None:
    cloudfront = ctx.client("cloudfront")
    etag = cloudfront.get_origin_access_control(Id=old.id).get("ETag", "")
    cloudfront.delete_origin_access_control(Id=old.id, IfMatch=etag)


HANDLERS: dict[str, Handler] = {
    "aws:cloudfront/distribution:Distribution": Handler(
        create=_distribution, update=_update_distribution, delete=_delete_distribution
    ),
    "aws:cloudfront/originAccessControl:OriginAccessControl": Handler(
        create=_oac, delete=_delete_oac
    ),
}
