"""A quota shortfall stops `gm-infra phase` in its preflight, before anything is created."""

from __future__ import annotations

import json
from typing import Any

from infra.emulator.server import Emulator
from tests.engines.conftest import aws


def test_too_few_elastic_ips_stop_the_promotion_before_anything_is_made(
    emu: Emulator, run: Any
) -> None:
    ec2 = aws(emu, "ec2")
    for _ in range(4):  # four addresses held by something else; phase 2 needs two more
        ec2.allocate_address(Domain="vpc")
    vpcs_before = len(ec2.describe_vpcs()["Vpcs"])

    result = run("phase", "2", "--stack", "q", "--engine", "local", "--yes")
    assert result.exit_code == 1, result.output
    assert "promotion refused: preflight failed" in result.stderr
    assert "EC2-VPC Elastic IPs (L-0263D0A3)" in result.stderr
    assert "need 6 addresses" in result.stderr and "limit 5" in result.stderr
    assert "AWS default" in result.stderr  # moto's Service Quotas has no EC2 quotas: said so
    assert "Traceback" not in result.output
    assert len(ec2.describe_vpcs()["Vpcs"]) == vpcs_before
    assert len(ec2.describe_addresses()["Addresses"]) == 4


def test_check_shows_the_quotas_and_changes_nothing(emu: Emulator, run: Any) -> None:
    result = run("phase", "1", "--stack", "c", "--engine", "local", "--check", "--json")
    assert result.exit_code == 0, result.output
    outcome = json.loads(result.stdout)
    assert outcome["result"] == "checked"
    quotas = {r["target"]: r for r in outcome["preflight"] if r["check"] == "quota"}
    vcpus = next(r for t, r in quotas.items() if "L-1216C47A" in t)
    assert vcpus["status"] == "ok" and "applied, from Service Quotas" in vcpus["detail"]
    eips = next(r for t, r in quotas.items() if "L-0263D0A3" in t)
    assert "need 1 address" in eips["detail"]
    assert not aws(emu, "ec2").describe_nat_gateways()["NatGateways"]
    follow = run("phase", "1", "--stack", "c", "--engine", "local", "--yes")
    assert follow.exit_code == 0, follow.output  # --check left no stack file behind
    assert "created Pulumi.c.yaml" in follow.stdout
