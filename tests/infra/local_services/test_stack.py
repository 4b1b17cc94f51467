"""Which app processes play which fleet, and the shard databases, from the phases' Plans."""

from __future__ import annotations

from infra.local_services.stack import app_processes, shard_databases
from infra.plan.build import plan_for_phase
from infra.plan.listener import routing_table


def test_phase4_runs_one_process_per_service_and_web_on_the_api_fleet() -> None:
    table = routing_table(plan_for_phase(4))
    processes = {process.name: process for process in app_processes(table)}
    assert sorted(processes) == ["ai", "analytics", "auth", "matching", "web"]
    assert {name: p.service for name, p in processes.items()} == {
        "web": "web",
        "ai": "ai",  # the fleet says ai-ml; the app's name is ai
        "auth": "auth",
        "matching": "matching",
        "analytics": "analytics",
    }
    # the catch-all rule (CloudFront's header alone) forwards to the api fleet, which runs web
    catch_all = next(rule for rule in table.rules if not rule.paths)
    assert processes["web"].fleet == catch_all.action.fleet  # type: ignore[union-attr]


def test_phases_1_to_3_run_the_whole_app_twice_on_the_web_fleet() -> None:
    for phase in (1, 2, 3):
        processes = app_processes(routing_table(plan_for_phase(phase)))
        assert [p.name for p in processes] == ["web-1", "web-2"]
        assert {p.service for p in processes} == {""}
        assert len({p.fleet for p in processes}) == 1


def test_shard_databases_follow_the_plans_shards() -> None:
    assert shard_databases(routing_table(plan_for_phase(1))) == ("gm",)
    assert shard_databases(routing_table(plan_for_phase(3))) == ("gm", "gm_shard_1", "gm_shard_2")
