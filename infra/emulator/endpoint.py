"""The emulator endpoint: loopback only, dummy credentials only for it."""

from __future__ import annotations

import ipaddress
import os
from urllib.parse import urlparse

from infra.emulator.process import running_endpoint
from infra.errors import BadInputError

EMULATOR_CREDENTIALS = {
    "aws_access_key_id": "testing",
    "aws_secret_access_key": "testing",
}
ENDPOINT_HINT = (
    "start one with `gm-infra local start`, or pass --endpoint-url http://127.0.0.1:PORT"
)


def is_loopback_host(host: str) -> bool:
    """127.0.0.0/8, ::1 and localhost; nothing else."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def loopback_endpoint(url: str) -> str:
    """The endpoint URL if it is http(s) on loopback, else a BadInputError (exit 2)."""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise BadInputError(f"endpoint {url!r} is not an http URL", hint=ENDPOINT_HINT)
    if not is_loopback_host(parsed.hostname):
        raise BadInputError(
            f"endpoint {url!r} is not on loopback: the local engine only talks to an "
            "emulator on 127.0.0.1, ::1 or localhost",
            hint=ENDPOINT_HINT,
        )
    return url.rstrip("/")


def resolve_endpoint(explicit: str | None) -> str:
    """``--endpoint-url``, else ``AWS_ENDPOINT_URL``, else the emulator gm-infra started."""
    if explicit:
        return loopback_endpoint(explicit)
    env = os.environ.get("AWS_ENDPOINT_URL")
    if env:
        return loopback_endpoint(env)
    found = running_endpoint()
    if found is None:
        raise BadInputError("no local emulator endpoint", hint=ENDPOINT_HINT)
    return loopback_endpoint(found)
