"""The capacity judge: connections added up over every fleet at its ASG maximum, and req/s."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli import app as cli_app
from infra.db_capacity import max_connections
from infra.plan.build import plan_for_phase
from infra.plan.model import Plan
from infra.render.boot import api_workers, worker_concurrency
from infra.stack_files import write_stack_config
from infra.validate.capacity import (
    DB_RULE,
    MEASURED_RPS_PER_INSTANCE,
    REDIS_MAXCLIENTS,
    REDIS_PER_PROCESS,
    RPS_RULE,
    add_up,
    check_capacity,
    ec2_size,
)
from infra.validate.model import ERROR, INFO

T3_MEDIUM = (2, int(4 * 1024 * 0.95))  # what gm-boot reads off /proc/meminfo, about


def by_name(plan: Plan) -> dict[str, object]:
    return {e.resource.name: e for e in add_up(plan).values()}


@pytest.mark.parametrize("phase", [1, 2, 3, 4])
def test_phases_1_to_4_stay_within_every_endpoint(phase: int) -> None:
    findings = check_capacity(plan_for_phase(phase))
    assert [f.message for f in findings if f.severity == ERROR] == []
    assert [f.rule for f in findings if f.severity == INFO] == [RPS_RULE]


def test_phase_2_sums_the_api_and_worker_pools_on_the_writer_and_each_replica() -> None:
    plan = plan_for_phase(2)
    api = api_workers(*T3_MEDIUM)  # 3 uvicorn workers on a t3.medium
    celery = worker_concurrency(*T3_MEDIUM)  # 2 prefork children
    expected = 10 * api * (10 + 10) + 6 * celery * (10 + 10)  # one pool each, 10 + 10
    endpoints = by_name(plan)
    for name in ("gm-db", "gm-db-replica-1", "gm-db-replica-2"):
        endpoint = endpoints[name]
        assert endpoint.total == expected == 840  # type: ignore[attr-defined]
        assert endpoint.limit == max_connections("db.r6g.large") == 1365  # type: ignore[attr-defined]


def test_phase_3_counts_three_pools_on_shard_0_and_the_proxy_share() -> None:
    endpoints = by_name(plan_for_phase(3))
    proxy = endpoints["gm-db-proxy-0"]
    # writer, shard 0 and the shard map's own pool all open to shard 0's proxy
    assert proxy.total == 10 * 3 * 3 * 8 + 10 * 2 * 3 * 8 == 1200  # type: ignore[attr-defined]
    assert proxy.limit == 1365 * 90 // 100  # type: ignore[attr-defined]
    assert endpoints["gm-db-proxy-1"].total == 10 * 3 * 8 + 10 * 2 * 8  # type: ignore[attr-defined]


def test_redis_groups_are_judged_against_maxclients() -> None:
    endpoints = by_name(plan_for_phase(4))
    cache = endpoints["gm-redis"]
    assert cache.limit == REDIS_MAXCLIENTS  # type: ignore[attr-defined]
    shares = dict(cache.shares)  # type: ignore[attr-defined]
    assert sum(shares.values()) == cache.total  # type: ignore[attr-defined]
    # api (web), analytics, matching and the workers use the cache; auth and ai-ml do not
    fleets = sorted(text.split()[0] for text in shares)
    assert fleets == ["api", "service-analytics", "service-matching", "worker"]
    assert any(text.endswith(f"{REDIS_PER_PROCESS} = 1,500") for text in shares)


def test_a_phase_2_stack_with_40_api_and_30_workers_fails_naming_the_connections(
    tmp_path: Path,
) -> None:
    write_stack_config(
        "crowded",
        {
            "aws:region": "us-east-1",
            "green-matchers:phase": 2,
            "green-matchers:api": {"maxSize": 40},
            "green-matchers:workers": {"maxSize": 30},
        },
        tmp_path,
    )
    result = CliRunner().invoke(
        cli_app,
        ["validate", "--stack", "crowded", "--judges", "gm-limits", "--json"],
        env={"GM_INFRA_STACKS_DIR": str(tmp_path)},
    )
    assert result.exit_code == 1, result.output
    findings = json.loads(result.stdout)["findings"]
    errors = [f for f in findings if f["rule"] == DB_RULE and f["severity"] == ERROR]
    assert {f["name"] for f in errors} == {"gm-db", "gm-db-replica-1", "gm-db-replica-2"}
    writer = next(f for f in errors if f["name"] == "gm-db")["message"]
    assert "database connections" in writer and "3,600 to gm-db (writer)" in writer
    assert "max_connections 1,365 (db.r6g.large)" in writer
    assert "api 40 x 3 processes x 1 pool x 20 = 2,400" in writer
    assert "worker 30 x 2 processes x 1 pool x 20 = 1,200" in writer


def test_the_rps_finding_says_whether_the_maximum_covers_the_seed() -> None:
    (phase_2,) = [f for f in check_capacity(plan_for_phase(2)) if f.rule == RPS_RULE]
    served = 10 * MEASURED_RPS_PER_INSTANCE
    assert "up to 5,000 req/s" in phase_2.message and f"= {served:,} req/s" in phase_2.message
    assert "does NOT cover" in phase_2.message
    (phase_4,) = [f for f in check_capacity(plan_for_phase(4)) if f.rule == RPS_RULE]
    assert "service-ai-ml" not in phase_4.message  # internal: behind no ALB path
    assert "40 instances" in phase_4.message


@pytest.mark.parametrize(
    ("instance_type", "size"),
    [
        ("t3.medium", (2, 4)),
        ("m6i.large", (2, 8)),
        ("c5.9xlarge", (36, 72)),
        ("r7i.xlarge", (4, 32)),
    ],
)
def test_instance_sizes(instance_type: str, size: tuple[int, float]) -> None:
    assert ec2_size(instance_type) == size


def test_a_promotion_over_its_connection_budget_is_refused_before_anything_exists(
    emu: Any, run: Any
) -> None:
    from tests.infra.factories import aws

    stacks = Path(os.environ["GM_INFRA_STACKS_DIR"])
    write_stack_config(
        "crowded",
        {
            "aws:region": "us-east-1",
            "green-matchers:phase": 2,
            "green-matchers:api": {"maxSize": 40},
            "green-matchers:workers": {"maxSize": 30},
        },
        stacks,
    )
    result = run("phase", "2", "--stack", "crowded", "--engine", "local", "--yes", "--force")
    assert result.exit_code == 1, result.output
    assert "promotion refused" in result.output and DB_RULE in result.output
    vpcs = aws(emu, "ec2").describe_vpcs()["Vpcs"]
    assert all(v.get("IsDefault") for v in vpcs)  # nothing was created
    assert aws(emu, "rds").describe_db_instances()["DBInstances"] == []
