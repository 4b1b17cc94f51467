"""What the app tells and refuses browsers: same-origin state changes and security headers.

- ``SameOriginGuard``: a POST/PUT/PATCH/DELETE that a browser marks as coming from
  another origin (``Sec-Fetch-Site`` other than same-origin/none, or an ``Origin`` that is
  not this host nor one of TRUSTED_ORIGINS) gets 403, whatever its content type. A
  sibling subdomain is "same-site", so SameSite=Lax cookies alone would let it through.
  Requests without these headers (curl, server-to-server) are not browsers' and pass.
- ``SecurityHeaders``: CSP, frame-ancestors and X-Frame-Options, nosniff,
  Referrer-Policy and HSTS on every answer, the app's own error answers included.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.asgi_answer import send_json
from app.core.request_body import UNSAFE_METHODS

ALLOWED_FETCH_SITES = frozenset({"same-origin", "none"})
DEFAULT_PORTS = {"http": 80, "https": 443}

# The front page loads only its own script and stylesheet.
APP_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# The interactive docs (local only) are FastAPI's Swagger/ReDoc pages: an inline start-up
# script and their bundle from a CDN.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; "
    "worker-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc"})


def _host_port(netloc: str, scheme: str) -> tuple[str, int | None]:
    parts = urlsplit(f"{scheme}://{netloc}")
    try:
        port = parts.port
    except ValueError:
        return (netloc.lower(), None)
    return ((parts.hostname or "").lower(), port or DEFAULT_PORTS.get(scheme))


def same_origin(origin: str, host_header: str, scheme: str, trusted: list[str]) -> bool:
    """Does ``Origin`` name this very host (scheme aside: TLS may end at the proxy)?"""
    origin = origin.strip().rstrip("/").lower()
    if origin in trusted:
        return True
    parts = urlsplit(origin)
    if parts.scheme not in DEFAULT_PORTS or not parts.netloc:
        return False  # "null" (sandboxed frames, file://) and anything odd
    origin_host, origin_port = _host_port(parts.netloc, parts.scheme)
    own_host, own_port = _host_port(host_header, scheme)
    if origin_host != own_host:
        return False
    # Behind a TLS-terminating proxy the app sees http on port 80 for an https origin.
    return origin_port == own_port or {origin_port, own_port} <= {80, 443}


class SameOriginGuard:
    def __init__(self, app: ASGIApp, trusted_origins: list[str]) -> None:
        self.app = app
        self.trusted = trusted_origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in UNSAFE_METHODS:
            headers = Headers(scope=scope)
            site = headers.get("sec-fetch-site")
            origin = headers.get("origin")
            cross = site is not None and site.lower() not in ALLOWED_FETCH_SITES
            if origin is not None and not same_origin(
                origin, headers.get("host", ""), scope.get("scheme", "http"), self.trusted
            ):
                cross = True
            if cross:
                detail = "cross-origin requests may not change anything here"
                await send_json(send, 403, {"detail": detail})
                return
        await self.app(scope, receive, send)


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, docs_enabled: bool) -> None:
        self.app = app
        self.docs_enabled = docs_enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = self.docs_enabled and scope.get("path") in DOCS_PATHS

        async def add_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = DOCS_CSP if docs else APP_CSP
                headers["X-Frame-Options"] = "DENY"
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
                # Browsers ignore HSTS over plain HTTP, so sending it locally is harmless.
                headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
                headers["Cross-Origin-Opener-Policy"] = "same-origin"
            await send(message)

        await self.app(scope, receive, add_headers)
