"""Reading the session cookie strictly: anything but exactly one well-formed value is no
session (anonymous), never an error.

Read from the raw ``Cookie`` header bytes rather than a lenient parser: a cookie sent twice
(two pairs, or two ``Cookie`` headers) is ambiguous, so it counts as none; so does one with
a byte outside its alphabet, a wrong length, quotes or a missing separator. Only then is
its signature checked (``app/core/security.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# ``secrets.token_urlsafe(32)`` (43 characters), a dot, 32 hex digits of HMAC-SHA256.
WELL_FORMED = re.compile(rb"[A-Za-z0-9_-]{43}\.[0-9a-f]{32}")
MAX_COOKIE_HEADER = 8192  # bytes of Cookie headers read; beyond: no session


def session_cookie(headers: Iterable[tuple[bytes, bytes]], name: str) -> str | None:
    """The one well-formed value of cookie ``name`` in ``headers`` (ASGI raw headers)."""
    wanted = name.encode("ascii")
    values: list[bytes] = []
    read = 0
    for key, value in headers:
        if key.lower() != b"cookie":
            continue
        read += len(value)
        if read > MAX_COOKIE_HEADER:
            return None
        for pair in value.split(b";"):
            cookie_name, separator, cookie_value = pair.strip(b" \t").partition(b"=")
            if cookie_name.strip(b" \t") == wanted:
                if not separator:
                    return None
                values.append(cookie_value.strip(b" \t"))
    if len(values) != 1 or not WELL_FORMED.fullmatch(values[0]):
        return None
    return values[0].decode("ascii")
