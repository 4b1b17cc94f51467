"""Stateful resources keep their URNs from phase to phase and are protected."""

from __future__ import annotations

from infra.plan.model import Plan
from tests.infra.plan_readers import RDS, REDIS

STATEFUL = {
    RDS,
    REDIS,
    "aws:s3/bucket:Bucket",
    "aws:secretsmanager/secret:Secret",
    "random:index/randomPassword:RandomPassword",
}


def stateful(plan: Plan) -> dict[str, bool]:
    return {r.urn.split("::", 2)[2]: r.protect for r in plan.resources if r.type in STATEFUL}


def test_stateful_resources_are_protected_in_every_phase(plans: dict[int, Plan]) -> None:
    for plan in plans.values():
        assert stateful(plan) and all(stateful(plan).values())


def test_each_promotion_keeps_every_stateful_urn(plans: dict[int, Plan]) -> None:
    for phase in (1, 2, 3):
        before, after = stateful(plans[phase]), stateful(plans[phase + 1])
        assert set(before) <= set(after), set(before) - set(after)


def test_phase1_database_becomes_shard_zero(plans: dict[int, Plan]) -> None:
    def urn_of(plan: Plan, name: str) -> str:
        return next(r.urn for r in plan.resources if r.name == name).split("::", 2)[2]

    assert urn_of(plans[1], "gm-db") == urn_of(plans[3], "gm-db") == urn_of(plans[4], "gm-db")
    shard0 = next(r for r in plans[3].of_type(RDS) if r.name == "gm-db")
    assert shard0.inputs["identifier"].endswith("-db")
    assert {r.name for r in plans[3].of_type(RDS)} >= {"gm-db", "gm-db-shard-1", "gm-db-shard-2"}


def test_replicas_of_phase2_survive_into_phase3(plans: dict[int, Plan]) -> None:
    names2 = {r.name for r in plans[2].of_type(RDS)}
    names3 = {r.name for r in plans[3].of_type(RDS)}
    assert names2 <= names3
