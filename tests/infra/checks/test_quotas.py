"""Quota preflight: what the plan adds plus what the account uses, against Service Quotas.

The maths on recorded plans; the reading through moto's mock_aws (which knows the VPC
quotas only, so the others fall back to their AWS defaults) and botocore's Stubber.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from infra.checks.account_usage import check_quotas, read_limit
from infra.checks.quotas import (
    EIPS,
    NAT_PER_AZ,
    ON_DEMAND_VCPUS,
    QUOTAS,
    REGION,
    AccountUsage,
    Limit,
    evaluate,
    on_demand_at_max,
    plan_counts,
)
from infra.plan.model import Plan

DEFAULTS = {q.key: Limit(q.default, False, "AWS default") for q in QUOTAS}
EIP = (EIPS.key, REGION)


def by_key(checks: list[Any]) -> dict[tuple[str, str], Any]:
    return {(c.quota.key, c.scope): c for c in checks}


def test_the_four_example_stacks_in_one_region_need_nine_nat_addresses(
    plans: dict[int, Plan],
) -> None:
    assert [plan_counts(plans[p])[EIP] for p in (1, 2, 3, 4)] == [1, 2, 3, 3]
    # phases 1-3 already run as their own stacks; phase 4 comes next
    in_use: Counter[tuple[str, str]] = Counter()
    for phase in (1, 2, 3):
        in_use.update(plan_counts(plans[phase]))
    checks = evaluate(plan_counts(plans[4]), {}, AccountUsage(dict(in_use), {}), DEFAULTS)
    eips = by_key(checks)[EIP]
    assert (eips.need, eips.limit.value, eips.ok) == (9, 5, False)
    result = eips.to_result()
    assert result.failed
    assert "EC2-VPC Elastic IPs (L-0263D0A3)" in result.target
    assert "need 9 addresses" in result.detail and "limit 5 (AWS default)" in result.detail


def test_a_promotion_does_not_count_what_the_stack_already_owns(plans: dict[int, Plan]) -> None:
    # phase 1 owns one NAT address; three more belong to something else in the account
    usage = AccountUsage({EIP: 4}, {})
    owned = plan_counts(plans[1])
    eips = by_key(evaluate(plan_counts(plans[2]), owned, usage, DEFAULTS))[EIP]
    assert (eips.elsewhere, eips.planned, eips.need, eips.ok) == (3, 2, 5, True)
    # counted twice it would be 6 and refused
    twice = by_key(evaluate(plan_counts(plans[2]), {}, usage, DEFAULTS))[EIP]
    assert not twice.ok


def test_nat_gateways_are_counted_per_availability_zone(plans: dict[int, Plan]) -> None:
    counts = plan_counts(plans[3])
    assert {k[1] for k in counts if k[0] == NAT_PER_AZ.key} == {
        "us-east-1a",
        "us-east-1b",
        "us-east-1c",
    }
    usage = AccountUsage({(NAT_PER_AZ.key, "us-east-1a"): 5}, {})
    checks = evaluate(counts, {}, usage, DEFAULTS)
    failed = [c for c in checks if c.quota == NAT_PER_AZ and not c.ok]
    assert [(c.quota.key, c.scope, c.need) for c in failed] == [(NAT_PER_AZ.key, "us-east-1a", 6)]


def test_vcpus_count_each_group_at_max_size_on_demand_share_only(plans: dict[int, Plan]) -> None:
    workers = next(g for g in plans[2].of_type("aws:autoscaling/group:Group") if "worker" in g.name)
    # max 6, one on demand at base, half of the other five (rounded up): 1 + 3
    assert on_demand_at_max(workers) == 4
    # phase 2: api 10 x t3.medium + 4 workers, 2 vCPUs each
    assert plan_counts(plans[2])[(ON_DEMAND_VCPUS.key, REGION)] == 28


def test_unreadable_usage_is_said_and_judged_on_the_plan_alone(plans: dict[int, Plan]) -> None:
    usage = AccountUsage({}, {EIPS.key: "AccessDenied"})
    eips = by_key(evaluate(plan_counts(plans[3]), {}, usage, DEFAULTS))[EIP]
    assert eips.in_use is None and eips.ok
    result = eips.to_result()
    assert result.status == "no-data"
    assert "account usage not readable (AccessDenied)" in result.detail


@pytest.fixture
def aws_account(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield lambda service: boto3.client(service, region_name="us-east-1")


def test_check_quotas_reads_the_account_and_falls_back_to_defaults(
    aws_account: Any, plans: dict[int, Plan]
) -> None:
    ec2 = aws_account("ec2")
    for _ in range(4):  # another team's addresses
        ec2.allocate_address(Domain="vpc")
    checks = by_key(check_quotas(plans[2], aws_account))
    eips = checks[EIP]
    assert (eips.in_use, eips.need, eips.limit.value, eips.ok) == (4, 6, 5, False)
    # moto's Service Quotas knows no EC2 quota: the AWS default applies, and that is said
    assert not eips.limit.applied
    assert "AWS default; Service Quotas did not answer: NoSuchResource" in eips.limit.source
    # it knows the VPC quotas: read as applied values
    vpcs = checks[("vpcs", REGION)]
    assert vpcs.limit.applied and vpcs.limit.value == 5
    assert vpcs.in_use == 1  # the region's default VPC counts too


def test_the_stacks_own_instances_are_not_counted_twice(
    aws_account: Any, plans: dict[int, Plan]
) -> None:
    ec2 = aws_account("ec2")
    tags = [{"Key": "Project", "Value": "green-matchers"}, {"Key": "Stack", "Value": "phase2"}]
    for tag_set in (tags, [{"Key": "Project", "Value": "other"}]):
        ec2.run_instances(
            ImageId="ami-12c6146b",
            InstanceType="t3.large",
            MinCount=1,
            MaxCount=1,
            TagSpecifications=[{"ResourceType": "instance", "Tags": tag_set}],
        )
    vcpu = by_key(check_quotas(plans[2], aws_account))[(ON_DEMAND_VCPUS.key, REGION)]
    assert (vcpu.in_use, vcpu.owned, vcpu.elsewhere, vcpu.planned) == (4, 2, 2, 28)


def test_applied_then_default_then_built_in_limit() -> None:
    client = boto3.client(
        "service-quotas",
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
    ids = {"ServiceCode": "ec2", "QuotaCode": "L-0263D0A3"}
    with Stubber(client) as stub:
        stub.add_response("get_service_quota", {"Quota": {"Value": 20.0}}, ids)
        assert read_limit(client, EIPS) == Limit(20.0, True, "applied, from Service Quotas")
        stub.add_client_error("get_service_quota", "AccessDeniedException", expected_params=ids)
        stub.add_response("get_aws_default_service_quota", {"Quota": {"Value": 5.0}}, ids)
        from_default = read_limit(client, EIPS)
        assert (from_default.value, from_default.applied) == (5.0, False)
        assert "AccessDeniedException" in from_default.source
        stub.add_client_error("get_service_quota", "AccessDeniedException", expected_params=ids)
        stub.add_client_error("get_aws_default_service_quota", "AccessDeniedException")
        built_in = read_limit(client, EIPS)
        assert built_in.value == EIPS.default
        assert built_in.source.startswith("AWS default; Service Quotas did not answer")
        stub.assert_no_pending_responses()
