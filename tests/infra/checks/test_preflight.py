"""A quota shortfall stops `gm-infra phase` in its preflight, before anything is created."""

from __future__ import annotations

import json
from typing import Any

from infra.emulator.server import Emulator
from tests.infra.factories import aws


def test_too_few_elastic_ips_stop_the_promotion_before_anything_is_made(
    emu: Emulator, run: Any
) -> None:
    ec2 = aws(emu, "ec2")
    for _ in range(4):  # four addresses held by something else; phase 2 needs two more
        ec2.allocate_address(Domain="vpc")
    vpcs_before = len(ec2.describe_vpcs()["Vpcs"])

    # --no-validate: the judges are tested in tests/infra/promotion/test_runner_validation.py
    result = run("phase", "2", "--stack", "q", "--engine", "local", "--yes", "--no-validate")
    assert result.exit_code == 1, result.output
    assert "promotion refused: preflight failed" in result.stderr
    assert "EC2-VPC Elastic IPs (L-0263D0A3)" in result.stderr
    assert "need 6 addresses" in result.stderr and "limit 5" in result.stderr
    assert "AWS default" in result.stderr  # moto's Service Quotas has no EC2 quotas: said so
    assert "Traceback" not in result.output
    assert len(ec2.describe_vpcs()["Vpcs"]) == vpcs_before
    assert len(ec2.describe_addresses()["Addresses"]) == 4


def test_check_shows_the_quotas_and_changes_nothing(emu: Emulator, run: Any) -> None:
    result = run(
        *("phase", "1", "--stack", "c", "--engine", "local", "--check", "--json", "--no-validate")
    )
    assert result.exit_code == 0, result.output
    outcome = json.loads(result.stdout)
    assert outcome["result"] == "checked"
    quotas = {r["target"]: r for r in outcome["preflight"] if r["check"] == "quota"}
    vcpus = next(r for t, r in quotas.items() if "L-1216C47A" in t)
    assert vcpus["status"] == "ok" and "applied, from Service Quotas" in vcpus["detail"]
    eips = next(r for t, r in quotas.items() if "L-0263D0A3" in t)
    assert "need 1 address" in eips["detail"]
    assert not aws(emu, "ec2").describe_nat_gateways()["NatGateways"]
    follow = run("phase", "1", "--stack", "c", "--engine", "local", "--yes", "--no-validate")
    assert follow.exit_code == 0, follow.output  # --check left no stack file behind
    assert "new (written when the promotion commits) Pulumi.c.yaml" in follow.stdout


def _pulumi_engine(stacks_dir: Any) -> Any:
    """The Pulumi engine minus its CLI (not installable here): its boto3 clients and its
    deployed plan (read from the stack file) are what the preflight uses."""
    from infra.engines.pulumi_engine import PulumiEngine

    engine = PulumiEngine.__new__(PulumiEngine)
    engine.stacks_dir = stacks_dir
    # What its outputs would say: phase 1, as its stack file (an unreadable phase is now an
    # error, never "nothing deployed": tests/infra/engines/test_pulumi_engine.py).
    engine.deployed_phase = lambda stack: 1  # type: ignore[method-assign]
    return engine


def test_on_the_pulumi_engine_a_promotion_counts_the_stacks_own_addresses_once(
    tmp_path: Any, monkeypatch: Any, gm_home: Any
) -> None:
    import boto3
    import pytest
    from moto import mock_aws

    from infra.errors import CheckFailedError
    from infra.promotion.report import ConsoleReporter
    from infra.promotion.runner import Promotion, PromotionRequest
    from infra.stack_files import write_stack_config

    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    # an established account: its on-demand vCPU quota was raised past a new account's 5
    from moto.servicequotas.models import ServiceQuotasBackend

    original = ServiceQuotasBackend.get_service_quota

    def applied(self: Any, service_code: str, quota_code: str) -> dict[str, Any]:
        if quota_code == "L-1216C47A":
            return {"ServiceCode": "ec2", "QuotaCode": quota_code, "Value": 256.0}
        return original(self, service_code, quota_code)

    monkeypatch.setattr(ServiceQuotasBackend, "get_service_quota", applied)
    request = PromotionRequest(
        stack="p", phase=2, stacks_dir=tmp_path, check_only=True, validate=False
    )
    write_stack_config("p", {"aws:region": "us-east-1", "green-matchers:phase": 1}, tmp_path)
    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1")
        for _ in range(4):  # the stack's own NAT address and three others
            ec2.allocate_address(Domain="vpc")
        engine = _pulumi_engine(tmp_path)
        outcome = Promotion(engine, request, ConsoleReporter(to_stderr=True)).run()
        assert outcome.result == "checked"
        eips = next(r for r in outcome.preflight if "L-0263D0A3" in r["target"])
        assert "need 5 addresses (3 in use outside this stack + 2 in the plan)" in eips["detail"]

        ec2.allocate_address(Domain="vpc")  # one more elsewhere: 4 + 2 > 5
        with pytest.raises(CheckFailedError) as refused:
            Promotion(engine, request, ConsoleReporter(to_stderr=True)).run()
        assert "EC2-VPC Elastic IPs (L-0263D0A3): need 6 addresses" in refused.value.message
        assert "limit 5" in refused.value.message
