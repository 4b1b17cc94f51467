"""nginx as CloudFront's local stand-in, rendered from the Plan's distribution
(``cdn_routes``) with ``templates/nginx/cdn_stand_in.conf.j2``.

nginx rather than a proxy written on a library: the hops behind it are nginx already, it
does TLS, HTTP/2, per-location method limits, header rewriting and error pages from a
config file that the tests can read, and it adds no Python process to the request path.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from infra.local_services.cdn_routes import Behaviour, Distribution
from infra.local_services.local_ca import TlsFiles
from infra.render.alb_routes import RoutesError
from infra.render.nginx import parse_listen
from infra.render.templates import environment

TEMPLATE = "cdn_stand_in.conf.j2"
# CloudFront's origin connection timeout (the distribution's default, 10 s) and the
# stand-in's name in Via and X-Amz-Cf-Pop.
CONNECT_TIMEOUT = 10
POP = "LOCAL1-C1"
# What the stand-in does not play (printed once by gm-infra app stack, kept in the README).
NOT_EMULATED = (
    "edge caching across POPs (nothing is cached: the Plan's behaviours to the ALB use "
    "CachingDisabled, and /static/* is read from the bucket's files at each request)",
    "Lambda@Edge and CloudFront Functions",
    "AWS WAF and Shield",
    "geo restriction, price classes, HTTP/3, field-level encryption",
    "response headers policies (the app and nginx send the security headers themselves)",
    "origin failover groups and origin shield",
)


@dataclass(frozen=True)
class CdnOptions:
    distribution: Distribution
    origins: dict[str, str]  # origin id -> the local HOST:PORT playing it (custom origins)
    header_values: dict[str, str]  # custom header name -> local value (the Plan's is redacted)
    https_listen: str
    http_listen: str
    tls: TlsFiles
    bucket_dir: Path
    runtime_dir: str
    max_body: str = "1m"
    kind: str = "cdn-stand-in"
    # Under a root master nginx's workers run as nobody, who cannot read the bucket's copy
    # in a private state folder: the stack passes "root" then (loopback only).
    worker_user: str | None = None


def stage_bucket(distribution: Distribution, folder: Path) -> None:
    """The static bucket's objects as files under ``folder`` (key -> path), afresh."""
    shutil.rmtree(folder, ignore_errors=True)
    for obj in distribution.objects:
        target = folder / obj.key
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(obj.source, target)


def _location(behaviour: Behaviour, options: CdnOptions) -> dict[str, object]:
    origin = behaviour.origin
    methods = set(behaviour.methods)
    limited = methods < {"GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"}
    # nginx's limit_except names what is allowed; GET allows HEAD too.
    allowed = sorted(methods - {"HEAD"}) if limited else []
    headers = []
    for name, value in origin.headers:
        local = options.header_values.get(name, value)
        if local == "[secret]":
            raise RoutesError(f"origin {origin.origin_id}: no local value for header {name}")
        headers.append((name, local))
    upstream = options.origins.get(origin.origin_id) if origin.kind == "custom" else None
    if origin.kind == "custom" and not upstream:
        raise RoutesError(f"no local process plays origin {origin.origin_id}")
    request = behaviour.request
    return {
        "pattern": behaviour.path_pattern,
        "regex": behaviour.regex,
        "origin": origin,
        "allowed": allowed,
        "upstream": upstream,
        "host": None if request and request.viewer_host else upstream,
        "cloudfront_headers": bool(request and request.cloudfront_headers),
        "cookies": bool(request and request.cookies),
        "query": bool(request and request.query_strings),
        "headers": headers,
        "cache": behaviour.cache,
        "read_timeout": origin.read_timeout,
    }


def render_cdn(options: CdnOptions) -> str:
    """A complete nginx.conf playing the Plan's distribution."""
    dist = options.distribution
    for behaviour in dist.behaviours:
        if behaviour.viewer_policy == "allow-all":
            raise RoutesError(f"{dist.name}: a behaviour allows plain HTTP; the stand-in does not")
    locations = [_location(b, options) for b in dist.behaviours]
    return (
        environment("nginx")
        .get_template(TEMPLATE)
        .render(
            o=options,
            name=dist.name,
            https_listen=parse_listen(options.https_listen),
            http_listen=parse_listen(options.http_listen),
            https_port=options.https_listen.rpartition(":")[2],
            ordered=locations[:-1],
            default=locations[-1],
            cache_control={f"/{obj.key}": obj.cache_control for obj in dist.objects},
            connect_timeout=CONNECT_TIMEOUT,
            pop=POP,
        )
    )
