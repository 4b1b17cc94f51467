"""The full rehearsal 1 -> 2 -> 3 -> 4 on one moto server, checked against the phase table."""

from __future__ import annotations

import json
from typing import Any

from infra.emulator.server import Emulator
from tests.infra.factories import aws

STACK = "rehearsal"


def promote(run: Any, phase: int, *extra: str) -> Any:
    return run(
        "phase",
        str(phase),
        "--stack",
        STACK,
        "--engine",
        "local",
        "--yes",
        "--json",
        "--target-timeout",
        "1",
        "--no-validate",  # phases 1-4 are validated in tests/infra/validate (seconds each)
        *extra,
    )


def snapshot(emu: Emulator) -> dict[str, Any]:
    """What the emulator holds: ASG sizes, databases, Redis members, Lattice."""
    groups = aws(emu, "autoscaling").describe_auto_scaling_groups()["AutoScalingGroups"]
    dbs = aws(emu, "rds").describe_db_instances()["DBInstances"]
    redis = aws(emu, "elasticache").describe_replication_groups()["ReplicationGroups"]
    lattice = aws(emu, "vpc-lattice").list_service_networks()["items"]
    return {
        "asg": {
            g["AutoScalingGroupName"].rsplit("-", 1)[0]: (
                g["MinSize"],
                g["DesiredCapacity"],
                g["MaxSize"],
                len(g["Instances"]),
            )
            for g in groups
        },
        "primaries": sorted(
            d["DBInstanceIdentifier"]
            for d in dbs
            if not d.get("ReadReplicaSourceDBInstanceIdentifier")
        ),
        "replicas": sorted(
            d["DBInstanceIdentifier"] for d in dbs if d.get("ReadReplicaSourceDBInstanceIdentifier")
        ),
        "db_ids": {d["DBInstanceIdentifier"]: d["DbiResourceId"] for d in dbs},
        "redis_members": {g["ReplicationGroupId"]: len(g["MemberClusters"]) for g in redis},
        "lattice": len(lattice),
    }


def test_rehearsal_phase_1_to_4(emu: Emulator, run: Any) -> None:
    seen: dict[int, dict[str, Any]] = {}
    for phase in (1, 2, 3, 4):
        result = promote(run, phase)
        assert result.exit_code == 0, result.output
        outcome = json.loads(result.stdout)
        assert outcome["result"] == "promoted"
        assert not [c for c in outcome["verify"] if c["status"] == "fail"]
        assert outcome["diff"]["removed"] == []
        seen[phase] = snapshot(emu)
        if phase == 2:
            # Going down without the flag is refused and changes nothing.
            before = seen[2]
            refused = promote(run, 1)
            assert refused.exit_code == 2
            assert "--allow-downgrade" in refused.output
            assert snapshot(emu) == before
            # Skipping a phase needs --force.
            skipped = promote(run, 4)
            assert skipped.exit_code == 2 and "skips a phase" in skipped.output
        if phase == 3:
            # The data move is not emulated (the emulator's RDS holds no rows): said so.
            reshard = [s for s in outcome["steps"] if s["step"] == "reshard"]
            assert reshard and reshard[0]["status"] == "not-emulated"
            assert "gm-infra app reshard" in reshard[0]["detail"]
            assert any(n.startswith("reshard:") for n in outcome["not_emulated"])
            # Down to 2 needs the merge back to shard 0 first, even with --allow-downgrade.
            before = snapshot(emu)
            refused = promote(run, 2, "--allow-downgrade")
            assert refused.exit_code == 2 and "--rollback" in refused.output
            assert snapshot(emu) == before

    one, two, three, four = seen[1], seen[2], seen[3], seen[4]
    # Phase 1: one app server, a single database, one Redis node, no Lattice.
    assert one["asg"] == {"gm-api-asg": (1, 1, 2, 1)}
    assert one["primaries"] == ["gm-rehearsal-db"] and one["replicas"] == []
    # the cache and, apart, the session store (noeviction)
    assert one["redis_members"] == {"gm-rehearsal-redis": 1, "gm-rehearsal-sessions": 1}
    assert one["lattice"] == 0
    # Phase 2: ASG 2/3/10, workers, two read replicas, Redis with replicas.
    assert two["asg"]["gm-api-asg"] == (2, 3, 10, 3)
    assert two["asg"]["gm-worker-asg"][1] == 2
    assert two["replicas"] == ["gm-rehearsal-db-replica-1", "gm-rehearsal-db-replica-2"]
    assert two["redis_members"] == {"gm-rehearsal-redis": 3, "gm-rehearsal-sessions": 3}
    # Phase 3: three shards, each with two replicas.
    assert len(three["primaries"]) == 3 and len(three["replicas"]) == 6
    # Phase 4: four service ASGs and VPC Lattice.
    assert len([name for name in four["asg"] if name.startswith("gm-services")]) == 4
    assert four["lattice"] == 1
    # Phase 1's database keeps its identifier (and is the same instance) throughout.
    for later in (two, three, four):
        assert later["db_ids"]["gm-rehearsal-db"] == one["db_ids"]["gm-rehearsal-db"]

    verified = run(
        "verify", "--stack", STACK, "--engine", "local", "--json", "--target-timeout", "1"
    )
    assert verified.exit_code == 0, verified.output
    checks = json.loads(verified.stdout)["checks"]
    assert any(c["check"] == "lattice" and c["status"] == "ok" for c in checks)
    # What moto cannot hold is reported as such, never as passing.
    assert any(
        c["status"] == "not-emulated" and "TrafficSourceAttachment" in c["target"] for c in checks
    )
