"""A resource the state names but the cloud lacks is a failed check, not a crash."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from infra.checks.verify import VerifyOptions, verify
from infra.engines.base import Inventory


class Refusing:
    def __getattr__(self, name: str) -> Any:
        def call(**_: Any) -> Any:
            raise ClientError({"Error": {"Code": "NotFound", "Message": "gone"}}, name)

        return call


def test_refused_calls_become_failed_checks() -> None:
    inventory = Inventory(phase=1, load_balancers=["arn:lb"], distributions=["E1"])
    results = verify(inventory, lambda service: Refusing(), VerifyOptions(target_timeout_s=0))
    failed = {r.check for r in results if r.failed}
    assert {"alb", "cloudfront"} <= failed
    assert all("AWS refused the check" in r.detail for r in results if r.check == "alb")
