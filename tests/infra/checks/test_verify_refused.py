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


class Pending:
    """An RDS and ElastiCache that hold a change for the maintenance window."""

    def describe_db_instances(self, **_: Any) -> Any:
        return {
            "DBInstances": [
                {
                    "DBInstanceStatus": "available",
                    "ReadReplicaDBInstanceIdentifiers": [],
                    "PendingModifiedValues": {"DBInstanceClass": "db.r6g.large"},
                }
            ]
        }

    def describe_replication_groups(self, **_: Any) -> Any:
        return {
            "ReplicationGroups": [
                {
                    "Status": "available",
                    "MemberClusters": ["a", "b", "c"],
                    "PendingModifiedValues": {"AutomaticFailoverStatus": "enabled"},
                }
            ]
        }


def test_verify_fails_while_a_modification_is_pending() -> None:
    """Until AWS applies it, the old capacity serves the phase: not promoted yet."""
    inventory = Inventory(phase=2, db_primaries=["db"], cache_groups={"redis": 3})
    results = verify(inventory, lambda service: Pending(), VerifyOptions(target_timeout_s=0))
    pending = [r for r in results if r.failed and "modification pending" in r.detail]
    assert {r.check for r in pending} == {"rds primary", "redis"}
    rds = next(r for r in pending if r.check == "rds primary")
    assert "DBInstanceClass=db.r6g.large" in rds.detail and "--apply-immediately" in rds.detail
