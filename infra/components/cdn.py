"""CDN: CloudFront with the S3 static bucket (behind OAC) for /static/* and the ALB for the API."""

from __future__ import annotations

import json
import mimetypes
from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_aws as aws

from infra.components.common import child, tags
from infra.components.load_balancer import ORIGIN_VERIFY_HEADER
from infra.components.storage import private_bucket, tls_only_statement
from infra.settings import CdnSettings, StackTags

# The source document's TTLs for static assets.
STATIC_MIN_TTL = 0
STATIC_DEFAULT_TTL = 86400
STATIC_MAX_TTL = 31536000
# AWS managed policies (stable ids published by CloudFront).
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
SECURITY_HEADERS = "67f7725c-6f97-4210-82d7-5512b31e9d03"
MIN_TLS = "TLSv1.2_2021"
S3_ORIGIN = "static-s3"
ALB_ORIGIN = "api-alb"


def static_files(static_dir: Path) -> list[tuple[str, Path, str]]:
    """(S3 key, file, content type) for every file under ``app/static``, sorted."""
    if not static_dir.is_dir():
        return []
    found = []
    for path in sorted(p for p in static_dir.rglob("*") if p.is_file()):
        key = "static/" + path.relative_to(static_dir).as_posix()
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        found.append((key, path, content_type))
    return found


@dataclass(frozen=True)
class CdnArgs:
    cdn: CdnSettings
    tags: StackTags
    alb_dns_name: pulumi.Input[str]
    static_dir: Path
    domain: str | None = None
    # The ALB has an HTTPS listener (certificateArn): CloudFront reaches it at origin.<domain>.
    alb_https: bool = False
    # The viewer certificate (cdnCertificateArn, in us-east-1).
    certificate_arn: str | None = None
    # X-Origin-Verify's value on every request to the ALB (its rules require it).
    origin_verify: pulumi.Input[str] = ""


class Cdn(pulumi.ComponentResource):
    """One distribution: cached static assets, uncached API, HTTPS for viewers."""

    distribution: aws.cloudfront.Distribution
    bucket: aws.s3.Bucket

    def __init__(self, name: str, args: CdnArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("green-matchers:cdn:Cdn", name, None, opts)
        if not args.origin_verify:
            raise ValueError("CdnArgs.origin_verify is required: the ALB admits only CloudFront")
        stack_tags = args.tags
        self.bucket = private_bucket(f"{name}-static", stack_tags, self)
        for key, path, content_type in static_files(args.static_dir):
            aws.s3.BucketObjectv2(
                f"{name}-asset-{key.removeprefix('static/').replace('/', '-')}",
                bucket=self.bucket.id,
                key=key,
                source=pulumi.FileAsset(str(path)),
                content_type=content_type,
                cache_control=f"public, max-age={STATIC_DEFAULT_TTL}",
                opts=child(self),
            )
        oac = aws.cloudfront.OriginAccessControl(
            f"{name}-oac",
            description="CloudFront reads the static bucket, signed with SigV4",
            origin_access_control_origin_type="s3",
            signing_behavior="always",
            signing_protocol="sigv4",
            opts=child(self),
        )

        alb_over_https = args.alb_https and args.domain is not None
        alb_origin_domain: pulumi.Input[str] = (
            f"origin.{args.domain}" if alb_over_https else args.alb_dns_name
        )
        custom_cert = args.certificate_arn is not None and args.domain is not None
        viewer_certificate: aws.cloudfront.DistributionViewerCertificateArgsDict = (
            {
                "acm_certificate_arn": args.certificate_arn,
                "ssl_support_method": "sni-only",
                "minimum_protocol_version": MIN_TLS,
            }
            if custom_cert
            # With the default *.cloudfront.net certificate AWS pins TLSv1 and reports it back
            # whatever is asked, so a minimum_protocol_version here is a diff on every preview.
            else {"cloudfront_default_certificate": True}
        )
        origins: list[aws.cloudfront.DistributionOriginArgsDict] = [
            {
                "origin_id": S3_ORIGIN,
                "domain_name": self.bucket.bucket_regional_domain_name,
                "origin_access_control_id": oac.id,
            },
            {
                "origin_id": ALB_ORIGIN,
                "domain_name": alb_origin_domain,
                "custom_headers": [{"name": ORIGIN_VERIFY_HEADER, "value": args.origin_verify}],
                "custom_origin_config": {
                    "http_port": 80,
                    "https_port": 443,
                    "origin_protocol_policy": "https-only" if alb_over_https else "http-only",
                    "origin_ssl_protocols": ["TLSv1.2"],
                    "origin_read_timeout": 60,
                    "origin_keepalive_timeout": 60,
                },
            },
        ]
        self.distribution = aws.cloudfront.Distribution(
            f"{name}-distribution",
            enabled=True,
            is_ipv6_enabled=True,
            http_version="http2and3",
            comment=f"Green Matchers CDN ({stack_tags.stack})",
            price_class=args.cdn.price_class,
            aliases=[args.domain] if custom_cert and args.domain else None,
            origins=origins,
            default_cache_behavior={
                "target_origin_id": ALB_ORIGIN,
                "viewer_protocol_policy": "redirect-to-https",
                "allowed_methods": ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
                "cached_methods": ["GET", "HEAD"],
                "cache_policy_id": CACHING_DISABLED,
                "origin_request_policy_id": ALL_VIEWER_EXCEPT_HOST,
                "response_headers_policy_id": SECURITY_HEADERS,
                # CachingDisabled turns gzip/brotli off, so CloudFront cannot compress here:
                # compression is decided by the cache policy's Accept-Encoding settings.
                "compress": False,
            },
            ordered_cache_behaviors=[
                {
                    "path_pattern": "/static/*",
                    "target_origin_id": S3_ORIGIN,
                    "viewer_protocol_policy": "redirect-to-https",
                    "allowed_methods": ["GET", "HEAD"],
                    "cached_methods": ["GET", "HEAD"],
                    "forwarded_values": {"query_string": False, "cookies": {"forward": "none"}},
                    "min_ttl": STATIC_MIN_TTL,
                    "default_ttl": STATIC_DEFAULT_TTL,
                    "max_ttl": STATIC_MAX_TTL,
                    "response_headers_policy_id": SECURITY_HEADERS,
                    "compress": True,
                }
            ],
            restrictions={"geo_restriction": {"restriction_type": "none"}},
            viewer_certificate=viewer_certificate,
            tags=tags(stack_tags, f"{name}-distribution"),
            opts=child(self),
        )
        aws.s3.BucketPolicy(
            f"{name}-static-policy",
            bucket=self.bucket.id,
            policy=pulumi.Output.all(self.bucket.arn, self.distribution.arn).apply(
                lambda values: json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Sid": "CloudFrontReadsStatic",
                                "Effect": "Allow",
                                "Principal": {"Service": "cloudfront.amazonaws.com"},
                                "Action": "s3:GetObject",
                                "Resource": f"{values[0]}/static/*",
                                "Condition": {"StringEquals": {"AWS:SourceArn": values[1]}},
                            },
                            tls_only_statement(values[0]),
                        ],
                    },
                    sort_keys=True,
                )
            ),
            opts=child(self),
        )
        self.register_outputs({"domainName": self.distribution.domain_name})
