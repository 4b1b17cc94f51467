"""SigV4 for VPC Lattice: the headers match botocore's signer and the SigV4 algorithm."""

from __future__ import annotations

import asyncio
import datetime
import hashlib
import hmac

import botocore.auth
import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from app.services.lattice_auth import (
    UNSIGNED_PAYLOAD,
    LatticeAuth,
    LatticeCredentialsError,
    lattice_auth,
)

URL = "https://svc-0123456789abcdef0.7d67968.vpc-lattice-svcs.eu-west-1.on.aws/api/ai/embed?x=1"
NOW = datetime.datetime(2026, 12, 4, 17, 30, 5)
STAMP = "20261204T173005Z"
KEY, SECRET, TOKEN = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session-token-1"


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: NOW)


def _request() -> httpx.Request:
    return httpx.Request(
        "POST",
        URL,
        json={"texts": ["solar installer"]},
        headers={"user-agent": "gm-test", "accept-encoding": "gzip"},
    )


def _signed(token: str | None) -> httpx.Request:
    request = _request()
    flow = LatticeAuth("eu-west-1", Credentials(KEY, SECRET, token)).sync_auth_flow(request)
    return next(flow)


def _botocore(token: str | None) -> AWSRequest:
    """The same request signed by botocore directly, over the same signed headers."""
    request = _request()
    reference = AWSRequest(
        method="POST",
        url=URL,
        headers={
            "host": request.headers["host"],
            "content-type": request.headers["content-type"],
            "x-amz-content-sha256": UNSIGNED_PAYLOAD,
        },
    )
    reference.context["payload_signing_enabled"] = False
    SigV4Auth(Credentials(KEY, SECRET, token), "vpc-lattice-svcs", "eu-west-1").add_auth(reference)
    return reference


@pytest.mark.parametrize("token", [None, TOKEN])
def test_headers_match_botocores_signer(token: str | None) -> None:
    signed, reference = _signed(token), _botocore(token)
    assert signed.headers["authorization"] == reference.headers["Authorization"]
    assert signed.headers["x-amz-date"] == STAMP
    assert signed.headers["x-amz-content-sha256"] == UNSIGNED_PAYLOAD
    scope = f"Credential={KEY}/20261204/eu-west-1/vpc-lattice-svcs/aws4_request"
    assert scope in signed.headers["authorization"]
    assert signed.headers.get("x-amz-security-token") == token
    signed_headers = "content-type;host;x-amz-content-sha256;x-amz-date"
    if token:
        signed_headers += ";x-amz-security-token"
    assert f"SignedHeaders={signed_headers}," in signed.headers["authorization"]


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def test_signature_follows_the_sigv4_algorithm_with_an_unsigned_payload() -> None:
    """Recomputed by hand: the body is not hashed, UNSIGNED-PAYLOAD is signed instead."""
    signed = _signed(TOKEN)
    host = "svc-0123456789abcdef0.7d67968.vpc-lattice-svcs.eu-west-1.on.aws"
    canonical = "\n".join(
        [
            "POST",
            "/api/ai/embed",
            "x=1",
            "content-type:application/json",
            f"host:{host}",
            f"x-amz-content-sha256:{UNSIGNED_PAYLOAD}",
            f"x-amz-date:{STAMP}",
            f"x-amz-security-token:{TOKEN}",
            "",
            "content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token",
            UNSIGNED_PAYLOAD,
        ]
    )
    scope = "20261204/eu-west-1/vpc-lattice-svcs/aws4_request"
    to_sign = "\n".join(
        ["AWS4-HMAC-SHA256", STAMP, scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    key = _hmac(f"AWS4{SECRET}".encode(), "20261204")
    for part in ("eu-west-1", "vpc-lattice-svcs", "aws4_request"):
        key = _hmac(key, part)
    expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    assert signed.headers["authorization"].endswith(f"Signature={expected}")


def test_unsigned_headers_stay_out_of_the_signature() -> None:
    authorization = _signed(None).headers["authorization"]
    for name in ("user-agent", "accept-encoding", "content-length", "connection"):
        assert name not in authorization


def test_async_flow_signs_the_same_way() -> None:
    auth = LatticeAuth("eu-west-1", Credentials(KEY, SECRET, TOKEN))

    async def sign() -> httpx.Request:
        return await auth.async_auth_flow(_request()).__anext__()

    signed = asyncio.run(sign())
    assert signed.headers["authorization"] == _botocore(TOKEN).headers["Authorization"]


def test_a_client_sends_the_signed_request() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"ok": True})

    auth = LatticeAuth("eu-west-1", Credentials(KEY, SECRET))
    with httpx.Client(transport=httpx.MockTransport(answer), auth=auth) as client:
        assert client.post(URL, json={"texts": ["solar installer"]}).status_code == 200
    assert seen[0].headers["authorization"] == _botocore(None).headers["Authorization"]


def test_no_credentials_is_a_clear_request_error(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    auth = lattice_auth("eu-west-1")
    with pytest.raises(LatticeCredentialsError, match="no AWS credentials"):
        next(auth.sync_auth_flow(_request()))
    assert issubclass(LatticeCredentialsError, httpx.RequestError)


def test_region_is_required() -> None:
    with pytest.raises(ValueError, match="AWS_REGION"):
        lattice_auth(" ")
