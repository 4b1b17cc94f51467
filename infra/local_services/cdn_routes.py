"""The Plan's CloudFront distribution as data the CDN stand-in renders (``cdn_nginx.py``).

Read from the Plan, not written by hand, so the stand-in cannot drift from the program:
per cache behaviour its path pattern, allowed methods, viewer protocol policy, TTLs and
what reaches the origin (from the managed policies' published settings, by id); per origin
its kind, host, protocol, read timeout and custom headers; and the static bucket's objects
(key, source file, Cache-Control). A policy id this module does not know is an error that
names it, so a new policy in the program fails here instead of being emulated wrongly.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from infra.plan.model import Plan
from infra.render.alb_routes import RoutesError, path_regex

DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
BUCKET_OBJECT = "aws:s3/bucketObjectv2:BucketObjectv2"


@dataclass(frozen=True)
class CachePolicy:
    name: str
    min_ttl: int
    default_ttl: int
    max_ttl: int


@dataclass(frozen=True)
class OriginRequestPolicy:
    """What CloudFront sends the origin besides the URL path and body."""

    name: str
    viewer_host: bool  # the viewer's Host (else the origin's domain name)
    all_viewer_headers: bool
    cookies: bool
    query_strings: bool
    cloudfront_headers: bool  # CloudFront-Viewer-Address, CloudFront-Forwarded-Proto, ...


# AWS's managed policies (CloudFront Developer Guide, "Use managed cache policies" and
# "Use managed origin request policies"), by their published ids.
CACHE_POLICIES = {
    "4135ea2d-6df8-44a3-9df3-4b5a84be39ad": CachePolicy("CachingDisabled", 0, 0, 0),
    "658327ea-f89d-4fab-a63d-7e88639e58f6": CachePolicy("CachingOptimized", 1, 86400, 31536000),
}
ORIGIN_REQUEST_POLICIES = {
    "b689b0a8-53d0-40ab-baf2-68738e2966ac": OriginRequestPolicy(
        "AllViewerExceptHostHeader", False, True, True, True, True
    ),
    "216adef6-5c7f-47e4-b989-5492eafa07d3": OriginRequestPolicy(
        "AllViewer", True, True, True, True, False
    ),
}
VIEWER_POLICIES = ("allow-all", "redirect-to-https", "https-only")


@dataclass(frozen=True)
class Origin:
    origin_id: str
    kind: str  # "s3" (the static bucket) or "custom" (the ALB)
    domain: str
    protocol: str  # custom origins: http-only, https-only, match-viewer
    read_timeout: int
    headers: tuple[tuple[str, str], ...]  # custom headers CloudFront adds


@dataclass(frozen=True)
class Behaviour:
    path_pattern: str | None  # None: the default behaviour
    origin: Origin
    methods: tuple[str, ...]
    viewer_policy: str
    cache: CachePolicy
    request: OriginRequestPolicy | None  # None: legacy forwarded values (nothing forwarded)

    @property
    def regex(self) -> str | None:
        return path_regex(self.path_pattern) if self.path_pattern else None


@dataclass(frozen=True)
class BucketObject:
    key: str
    source: Path
    cache_control: str


@dataclass(frozen=True)
class Distribution:
    name: str
    behaviours: tuple[Behaviour, ...]  # the ordered behaviours, then the default one
    objects: tuple[BucketObject, ...]


def _origin(data: dict[str, object]) -> Origin:
    config = data.get("customOriginConfig")
    headers = tuple(
        (str(h["name"]), str(h["value"]))
        for h in data.get("customHeaders") or []  # type: ignore[attr-defined]
    )
    if isinstance(config, dict):
        return Origin(
            str(data["originId"]),
            "custom",
            str(data["domainName"]),
            str(config.get("originProtocolPolicy", "https-only")),
            int(config.get("originReadTimeout", 30)),
            headers,
        )
    return Origin(str(data["originId"]), "s3", str(data["domainName"]), "https-only", 30, headers)


def _behaviour(data: dict[str, object], origins: dict[str, Origin], owner: str) -> Behaviour:
    target = str(data.get("targetOriginId"))
    if target not in origins:
        raise RoutesError(f"{owner}: behaviour targets unknown origin {target!r}")
    viewer = str(data.get("viewerProtocolPolicy"))
    if viewer not in VIEWER_POLICIES:
        raise RoutesError(f"{owner}: viewer protocol policy {viewer!r} is not known")
    cache_id = data.get("cachePolicyId")
    if cache_id is not None:
        if cache_id not in CACHE_POLICIES:
            raise RoutesError(f"{owner}: cache policy {cache_id} is not one the stand-in knows")
        cache = CACHE_POLICIES[str(cache_id)]
    else:  # legacy settings on the behaviour itself
        cache = CachePolicy(
            "legacy",
            int(data.get("minTtl", 0)),  # type: ignore[call-overload]
            int(data.get("defaultTtl", 86400)),  # type: ignore[call-overload]
            int(data.get("maxTtl", 31536000)),  # type: ignore[call-overload]
        )
    request_id = data.get("originRequestPolicyId")
    request = None
    if request_id is not None:
        if request_id not in ORIGIN_REQUEST_POLICIES:
            raise RoutesError(
                f"{owner}: origin request policy {request_id} is not one the stand-in knows"
            )
        request = ORIGIN_REQUEST_POLICIES[str(request_id)]
    pattern = data.get("pathPattern")
    return Behaviour(
        str(pattern) if pattern else None,
        origins[target],
        tuple(str(m) for m in data.get("allowedMethods") or ()),  # type: ignore[attr-defined]
        viewer,
        cache,
        request,
    )


def distribution(plan: Plan, repo_root: Path) -> Distribution:
    """The Plan's one distribution; RoutesError naming what the stand-in cannot play."""
    found = plan.of_type(DISTRIBUTION)
    if len(found) != 1:
        raise RoutesError(f"the plan of {plan.stack} has {len(found)} distributions, not 1")
    resource = found[0]
    inputs = resource.inputs
    origins = {o.origin_id: o for o in map(_origin, inputs.get("origins") or [])}
    ordered = [
        _behaviour(b, origins, resource.name) for b in inputs.get("orderedCacheBehaviors") or []
    ]
    default = _behaviour(inputs["defaultCacheBehavior"], origins, resource.name)
    buckets = {o.domain.split(".s3.")[0] for o in origins.values() if o.kind == "s3"}
    objects = tuple(
        BucketObject(
            str(obj.inputs["key"]),
            repo_root / str(obj.inputs["source"]["asset"]),
            str(obj.inputs.get("cacheControl") or ""),
        )
        for obj in plan.of_type(BUCKET_OBJECT)
        if obj.inputs.get("bucket") in buckets
    )
    return Distribution(resource.name, (*ordered, default), objects)
