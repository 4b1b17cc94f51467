"""Verify's Lattice check: AWS_IAM auth with an active auth policy, on moto's Lattice API."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from infra.checks.verify import check_lattice
from infra.engines.base import Inventory

moto = pytest.importorskip("moto", reason="moto (the local extra) emulates VPC Lattice")

POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:role/caller"},
                "Action": "vpc-lattice-svcs:Invoke",
                "Resource": "*",
            }
        ],
    }
)


@pytest.fixture
def lattice(monkeypatch: pytest.MonkeyPatch) -> Any:
    for name, value in (
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
    ):
        monkeypatch.setenv(name, value)
    with moto.mock_aws():
        yield boto3.client("vpc-lattice", region_name="us-east-1")


def _inventory(networks: list[str], services: list[str]) -> Inventory:
    return Inventory(phase=4, lattice_networks=networks, lattice_services=services)


def _check(lattice: Any, auth: str, *, policy: bool) -> dict[str, tuple[str, str]]:
    network = lattice.create_service_network(name="gm-net", authType=auth)["id"]
    service = lattice.create_service(name="gm-ai", authType=auth)["id"]
    if policy:
        for target in (network, service):
            lattice.put_auth_policy(resourceIdentifier=target, policy=POLICY)
    results = check_lattice(lattice, _inventory([network], [service]))
    return {r.target: (r.status, r.detail) for r in results}


def test_iam_auth_with_policies_passes(lattice: Any) -> None:
    found = _check(lattice, "AWS_IAM", policy=True)
    assert found["gm-net"][0] == "ok" and "AWS_IAM" in found["gm-net"][1]
    assert found["gm-ai"][0] == "ok"


def test_no_auth_fails_naming_the_exposure(lattice: Any) -> None:
    found = _check(lattice, "NONE", policy=True)
    assert found["gm-net"] == ("fail", "auth type NONE: any client in the network may call it")
    assert found["gm-ai"][0] == "fail"


def test_iam_auth_without_a_policy_fails(lattice: Any) -> None:
    found = _check(lattice, "AWS_IAM", policy=False)
    assert found["gm-ai"] == ("fail", "AWS_IAM without an auth policy: every call is denied")
