"""Login throttling per account and per client, with the ``limits`` library.

Every attempt takes its account's slot before the password is verified (``attempt``):
the moving window's ``hit`` is atomic (a Lua script in Redis, a lock in process), so
guesses at one account sent at the same moment cannot all pass a check made before any of
them was counted. A success clears its account's counters, so in effect failures count.
The client's counters count failures after the fact (``failed``): successes of other
people behind one address must not use them up, and its limit is against spraying over
many accounts, each of which is held to its own limit anyway. Each key has several
windows (for example 5 a minute, 20 an hour, 100 a day), so the wait grows as failures
pile up: a back-off. With REDIS_URL set the counters live in Redis and hold across every
instance; the embedded default keeps them in process. Accounts are keyed by a hash of
the e-mail's canonical form (``app/core/email_identity.py``: every case and accent
spelling of one address shares its counters; no addresses in Redis) and unknown
e-mails are counted like known ones, so a 429 says nothing about existence.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from limits import RateLimitItem, parse_many
from limits.errors import StorageError
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter

from app.core.breaker import CircuitBreaker, CircuitOpen, cause_of
from app.core.cache import StoreUnavailable, redis_options
from app.core.email_identity import canonical_email

T = TypeVar("T")
IPV6_CLIENT_PREFIX = 64  # one IPv6 host or home network usually holds a whole /64


def client_key(address: str) -> str:
    """The per-client counter's key: an IPv4 address as it is, an IPv6 address by its /64
    (one client can pick any address in it), an IPv4-mapped IPv6 address as IPv4."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address  # "unknown", a test client's name
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, IPV6_CLIENT_PREFIX), strict=False))
    return str(ip)


@dataclass
class LoginThrottle:
    limiter: MovingWindowRateLimiter
    per_account: Sequence[RateLimitItem]
    per_client: Sequence[RateLimitItem]
    # A hung Redis costs one timeout, then logins answer 503 at once until a probe answers.
    breaker: CircuitBreaker = field(
        default_factory=lambda: CircuitBreaker("login throttle redis", cool_down=5.0)
    )
    # Registrations per client (every attempt counts: each one hashes a password and may
    # found an employer), in the same store.
    per_registration: Sequence[RateLimitItem] = ()

    def _guarded(self, call: Callable[[], T]) -> T:
        if not self.breaker.allow():
            raise StoreUnavailable(
                str(CircuitOpen(self.breaker.name, self.breaker.cause)), logged=True
            )
        try:
            result = call()
        except StorageError as error:
            self.breaker.record_failure(cause_of(error))
            raise StoreUnavailable(f"login throttle store: {error}", logged=True) from error
        self.breaker.record_success()
        return result

    @classmethod
    def build(
        cls,
        *,
        redis_url: str,
        key_prefix: str,
        timeout_seconds: float,
        per_account: str,
        per_client: str,
        per_registration: str = "",
        cool_down: float = 5.0,
    ) -> LoginThrottle:
        storage: Storage
        if redis_url:
            storage = RedisStorage(
                redis_url,
                key_prefix=f"{key_prefix}login-limits",
                wrap_exceptions=True,
                **redis_options(timeout_seconds),  # bounded sockets, no retries
            )
        else:
            storage = MemoryStorage()
        return cls(
            MovingWindowRateLimiter(storage),
            parse_many(per_account),
            parse_many(per_client),
            CircuitBreaker("login throttle redis", cool_down=cool_down),
            parse_many(per_registration) if per_registration else (),
        )

    @staticmethod
    def _account(email: str) -> str:
        return hashlib.sha256(canonical_email(email).encode()).hexdigest()[:32]

    def _keys(self, email: str, client: str) -> list[tuple[RateLimitItem, str, str]]:
        account = self._account(email)
        return [(item, "account", account) for item in self.per_account] + [
            (item, "client", client_key(client)) for item in self.per_client
        ]

    def retry_after(self, *, email: str, client: str) -> int | None:
        """Seconds until a login may be tried again, or None when it may be tried now."""
        waits = self._guarded(
            lambda: [
                self.limiter.get_window_stats(item, kind, key).reset_time - time.time()
                for item, kind, key in self._keys(email, client)
                if not self.limiter.test(item, kind, key)
            ]
        )
        return max(1, math.ceil(max(waits))) if waits else None

    def attempt(self, *, email: str, client: str) -> int | None:
        """Check every limit of the account and the client and take the account's slots,
        or refuse: None when the attempt may go ahead (and was counted), else the seconds
        to wait. A limit already reached counts nothing; a race lost at the atomic hit
        keeps the slots already taken, which only makes guessing slower."""
        wait = self.retry_after(email=email, client=client)
        if wait is not None:
            return wait
        account = self._account(email)

        def hit_account() -> list[RateLimitItem]:
            return [
                item for item in self.per_account if not self.limiter.hit(item, "account", account)
            ]

        refused = self._guarded(hit_account)
        if not refused:
            return None
        waits = self._guarded(
            lambda: [
                self.limiter.get_window_stats(item, "account", account).reset_time - time.time()
                for item in refused
            ]
        )
        return max(1, math.ceil(max(waits)))

    def registration(self, *, client: str) -> int | None:
        """Take the client's registration slots: None when it may go ahead, else the
        seconds to wait (a limit already reached counts nothing)."""
        key = client_key(client)

        def take() -> list[float]:
            full = [
                item
                for item in self.per_registration
                if not self.limiter.test(item, "register", key)
            ]
            if not full:
                full = [
                    item
                    for item in self.per_registration
                    if not self.limiter.hit(item, "register", key)
                ]
            return [
                self.limiter.get_window_stats(item, "register", key).reset_time - time.time()
                for item in full
            ]

        waits = self._guarded(take)
        return max(1, math.ceil(max(waits))) if waits else None

    def failed(self, *, client: str) -> None:
        """Count a failed login against the client (the account's slot was taken before)."""

        def hit_client() -> None:
            for item in self.per_client:
                self.limiter.hit(item, "client", client_key(client))

        self._guarded(hit_client)

    def succeeded(self, *, email: str) -> None:
        account = self._account(email)

        def clear_all() -> None:
            for item in self.per_account:
                self.limiter.clear(item, "account", account)

        self._guarded(clear_all)
