"""Connection ceilings from RDS's max_connections formula, and the alarms built on them."""

from __future__ import annotations

import pytest

from infra.db_capacity import connections_alarm_threshold, max_connections, memory_gib
from infra.plan.model import Plan


@pytest.mark.parametrize(
    ("instance_class", "gib", "ceiling"),
    [
        ("db.t3.medium", 4, 341),
        ("db.r6g.large", 16, 1365),
        ("db.r6g.2xlarge", 64, 5461),
        ("db.t3.micro", 1, 85),
    ],
)
def test_ceiling_follows_memory(instance_class: str, gib: float, ceiling: int) -> None:
    assert memory_gib(instance_class) == gib
    assert max_connections(instance_class) == ceiling


def test_unknown_class_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown RDS instance class"):
        memory_gib("db.x9.large")


def test_connection_alarms_can_fire_on_the_phase_instance(plans: dict[int, Plan]) -> None:
    for phase, plan in plans.items():
        writer = next(r for r in plan.of_type("aws:rds/instance:Instance") if r.name == "gm-db")
        ceiling = max_connections(writer.inputs["instanceClass"])
        alarms = [
            a
            for a in plan.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
            if a.inputs.get("metricName") == "DatabaseConnections"
        ]
        assert alarms, phase
        for alarm in alarms:
            assert alarm.inputs["threshold"] == connections_alarm_threshold(
                writer.inputs["instanceClass"]
            )
            assert alarm.inputs["threshold"] < ceiling
