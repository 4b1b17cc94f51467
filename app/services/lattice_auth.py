"""SigV4 signing of calls to VPC Lattice services that use AWS_IAM auth (phase 4).

A service whose Lattice auth type is AWS_IAM accepts only requests signed with Signature
Version 4 for the service ``vpc-lattice-svcs`` by a principal its auth policy names. The
credentials come from botocore's default chain: on an instance, its role through IMDSv2
(refreshed before they expire); elsewhere the environment or a profile.

Lattice does not support payload signing: every request carries
``x-amz-content-sha256: UNSIGNED-PAYLOAD`` and that value, not the body's hash, goes into
the signature. Only ``host``, ``content-type`` and the ``x-amz-*`` headers are signed: a
header a proxy or the HTTP client may rewrite after signing (``connection``,
``accept-encoding``, ``content-length``) would break the signature without protecting more.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator
from typing import Any

import anyio.to_thread
import botocore.session
import httpx
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest

SERVICE = "vpc-lattice-svcs"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
SIGNED_REQUEST_HEADERS = ("content-type",)  # besides host and the x-amz-* headers
SIGNATURE_HEADERS = ("Authorization", "X-Amz-Date", "X-Amz-Security-Token", "X-Amz-Content-SHA256")


class LatticeCredentialsError(httpx.RequestError):
    """No AWS credentials to sign with: the call is not sent (an httpx error, so a client
    that treats an unreachable service as unavailable treats this the same way)."""


class LatticeAuth(httpx.Auth):
    """Signs each request for ``vpc-lattice-svcs`` in ``region`` (SigV4, unsigned payload)."""

    requires_request_body = False  # the body is not part of the signature

    def __init__(self, region: str, credentials: Any = None) -> None:
        if not region or not region.strip():
            raise ValueError("lattice_auth needs the AWS region (AWS_REGION), e.g. us-east-1")
        self.region = region.strip()
        # botocore Credentials (refreshable on an instance); None: resolved at the first call
        self._credentials = credentials

    def _frozen(self) -> Any:
        """A consistent (key, secret, token) snapshot; may refresh through IMDS (blocking)."""
        if self._credentials is None:
            self._credentials = botocore.session.get_session().get_credentials()
        if self._credentials is None:
            raise LatticeCredentialsError(
                "no AWS credentials to sign the VPC Lattice call with: give the instance a "
                "role, or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE"
            )
        return self._credentials.get_frozen_credentials()

    def sign(self, request: httpx.Request, credentials: Any) -> None:
        """Add Authorization, X-Amz-Date, X-Amz-Content-SHA256 (and the session token)."""
        headers = {"host": request.headers["host"], "x-amz-content-sha256": UNSIGNED_PAYLOAD}
        for name in SIGNED_REQUEST_HEADERS:
            if name in request.headers:
                headers[name] = request.headers[name]
        unsigned = AWSRequest(method=request.method, url=str(request.url), headers=headers)
        unsigned.context["payload_signing_enabled"] = False
        SigV4Auth(credentials, SERVICE, self.region).add_auth(unsigned)
        for name in SIGNATURE_HEADERS:
            value = unsigned.headers.get(name)
            if value is not None:
                request.headers[name] = value

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.sign(request, self._frozen())
        yield request

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        # Resolving or refreshing instance credentials is a blocking HTTP call to IMDS.
        credentials = await anyio.to_thread.run_sync(self._frozen)
        self.sign(request, credentials)
        yield request


def lattice_auth(region: str) -> httpx.Auth:
    """The ``auth`` for an httpx client calling Lattice services with AWS_IAM auth."""
    return LatticeAuth(region)
