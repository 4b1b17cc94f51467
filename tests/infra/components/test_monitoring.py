"""Every seed item is on the stack's dashboard for every fleet of the phase, and the alarms
the issue asks for exist per fleet (read from the recorded Plan, all four phases)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra.components.database import NO_PERFORMANCE_INSIGHTS, performance_insights
from infra.components.services import SERVICES
from infra.observability.seed_items import GROUPS, SEED_ITEMS
from infra.plan.model import Plan
from tests.infra.plan_readers import ASG, RDS, REDIS, TG, by_name, replicas, writers

PHASES = (1, 2, 3, 4)
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


def dashboard(plan: Plan) -> list[dict[str, Any]]:
    (board,) = plan.of_type("aws:cloudwatch/dashboard:Dashboard")
    return list(json.loads(board.inputs["dashboardBody"])["widgets"])


def fleet_labels(widget: dict[str, Any]) -> set[str]:
    """The line labels of a widget (one per fleet; metric math lines carry the label)."""
    labels = set()
    for line in widget["properties"]["metrics"]:
        options = line[-1]
        if options.get("visible", True) and "label" in options:
            labels.add(options["label"])
    return labels


def expected_fleets(plan: Plan) -> dict[str, set[str]]:
    services = {"api"} | ({s.name for s in SERVICES} if plan.phase == 4 else set())
    prefix = f"gm-{plan.stack}-"
    return {
        "service": services,
        "asg": {
            r.name.removeprefix("gm-").removesuffix("-asg").replace("services-", "service-")
            for r in plan.of_type(ASG)
        },
        "database": {r.inputs["identifier"].removeprefix(prefix) for r in writers(plan)},
        "replica": {r.inputs["identifier"].removeprefix(prefix) for r in replicas(plan)},
        "cache": {r.inputs["replicationGroupId"].removeprefix(prefix) for r in plan.of_type(REDIS)},
        "target_group": {
            r.name.removeprefix("gm-web-").removesuffix("-tg") for r in plan.of_type(TG)
        },
    }  # fmt: skip


@pytest.mark.parametrize("phase", PHASES)
def test_every_seed_item_is_on_the_dashboard_for_every_fleet(
    plans: dict[int, Plan], phase: int
) -> None:
    plan = plans[phase]
    widgets = dashboard(plan)
    headers = [w["properties"]["markdown"] for w in widgets if w["type"] == "text"]
    assert [h.split()[1].lower() for h in headers if h.startswith("## ")] == list(GROUPS)
    by_title = {w["properties"].get("title", ""): w for w in widgets if w["type"] == "metric"}
    fleets = expected_fleets(plan)
    assert len(fleets["service"]) == (5 if phase == 4 else 1)
    assert len(fleets["database"]) == (3 if phase >= 3 else 1)  # shards in phase 3
    for item in SEED_ITEMS:
        wanted = fleets[item.kind]
        title = f"{item.label} ({item.unit})"
        if not wanted:  # phase 1 has no replica: the dashboard says so
            assert any(item.label in h for h in headers), item.label
            continue
        assert title in by_title, f"phase {phase}: {item.label} missing"
        assert fleet_labels(by_title[title]) == wanted, (item.label, wanted)


def alarm_names(plan: Plan) -> set[str]:
    return {r.name.removeprefix("gm-monitoring-") for r in plan.of_type(ALARM)}


@pytest.mark.parametrize("phase", PHASES)
def test_each_alarm_exists_per_fleet(plans: dict[int, Plan], phase: int) -> None:
    plan = plans[phase]
    names = alarm_names(plan)
    fleets = expected_fleets(plan)
    for service in fleets["service"]:
        for alarm in ("p99-latency", "5xx-rate", "memory", "pool-saturation"):
            assert f"app-{service}-{alarm}" in names
    for replica in fleets["replica"]:
        assert f"{replica}-replica-lag" in names
    for group in fleets["target_group"]:
        assert f"{group}-unhealthy-hosts" in names
    assert "redis-hit-rate" in names  # the query cache (the session store does not cache)
    members = {r.name for r in plan.of_type(REDIS)}
    assert members == {"gm-redis", "gm-redis-sessions"}
    evictions = {n for n in names if n.endswith("-evictions")}
    assert {n.split("-00")[0] for n in evictions} == fleets["cache"]
    assert len(fleets["target_group"]) == (5 if phase == 4 else 1)


@pytest.mark.parametrize("phase", PHASES)
def test_the_5xx_rate_alarm_is_metric_math_over_the_app_metrics(
    plans: dict[int, Plan], phase: int
) -> None:
    alarm = by_name(plans[phase], "gm-monitoring-app-api-5xx-rate", ALARM)
    queries = {q["id"]: q for q in alarm.inputs["metricQueries"]}
    assert queries["rate"]["expression"] == "IF(total > 0, 100 * part / total, 0)"
    assert queries["part"]["metric"]["metricName"] == "Errors5xx"
    assert queries["total"]["metric"]["metricName"] == "RequestCount"
    dims = queries["part"]["metric"]["dimensions"]
    assert dims == {"Stack": f"phase{phase}", "Service": "api", "Phase": str(phase)}
    assert "metricName" not in alarm.inputs


@pytest.mark.parametrize("phase", PHASES)
def test_performance_insights_on_with_free_retention(plans: dict[int, Plan], phase: int) -> None:
    for db in plans[phase].of_type(RDS):
        assert db.inputs["performanceInsightsEnabled"] is True, db.name
        assert db.inputs["performanceInsightsRetentionPeriod"] == 7


def test_performance_insights_off_where_the_class_has_none() -> None:
    assert performance_insights("db.t3.small") == (False, None)
    assert "db.t3.medium" not in NO_PERFORMANCE_INSIGHTS
    assert performance_insights("db.r6g.large") == (True, 7)


@pytest.mark.parametrize("phase", PHASES)
def test_an_alarm_watches_the_age_of_the_outbox(plans: dict[int, Plan], phase: int) -> None:
    """The app publishes OutboxOldestAge with the Stack dimension only
    (app/core/cloudwatch_datums.py); the alarm must ask for exactly that."""
    alarm = by_name(plans[phase], "gm-monitoring-app-outbox-age", ALARM)
    inputs = alarm.inputs
    assert (inputs["namespace"], inputs["metricName"]) == ("GreenMatchers", "OutboxOldestAge")
    assert inputs["dimensions"] == {"Stack": f"phase{phase}"}
    assert (inputs["statistic"], inputs["comparisonOperator"]) == (
        "Maximum",
        "GreaterThanThreshold",
    )
    assert inputs["threshold"] == 600 and inputs["evaluationPeriods"] == 2
