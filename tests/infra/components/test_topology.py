"""Each phase declares what the phase table says: replicas, shards, fleets, cache, Lattice."""

from __future__ import annotations

from infra.plan.model import Plan
from tests.infra.plan_readers import (
    ASG,
    REDIS,
    RULE,
    TG,
    asg_sizes,
    by_name,
    get,
    replicas,
    writers,
)


def test_phase1_is_one_server_one_database_one_cache_node(plans: dict[int, Plan]) -> None:
    plan = plans[1]
    assert asg_sizes(plan) == {"gm-api-asg": (1, 1, 2)}
    assert len(writers(plan)) == 1 and replicas(plan) == []
    redis = plan.of_type(REDIS)[0]
    assert redis.inputs["numCacheClusters"] == 1
    assert redis.inputs["automaticFailoverEnabled"] is False
    assert get(by_name(plan, "gm-web-api-tg"), "stickiness.enabled") is False
    assert not [r for r in plan.resources if r.type.startswith("aws:vpclattice")]


def test_phase2_scales_out_with_replicas_workers_and_failover(plans: dict[int, Plan]) -> None:
    plan = plans[2]
    sizes = asg_sizes(plan)
    assert sizes["gm-api-asg"] == (2, 3, 10)
    assert "gm-worker-asg" in sizes
    writer = writers(plan)[0]
    assert len(writers(plan)) == 1
    assert [r.inputs["replicateSourceDb"] for r in replicas(plan)] == [
        writer.inputs["identifier"]
    ] * 2
    redis = plan.of_type(REDIS)[0]
    assert redis.inputs["numCacheClusters"] == 3
    assert redis.inputs["automaticFailoverEnabled"] is True
    assert redis.inputs["multiAzEnabled"] is True
    tg = by_name(plan, "gm-web-api-tg")
    assert get(tg, "stickiness.enabled") is True and get(tg, "stickiness.type") == "lb_cookie"


def test_phase2_workers_run_partly_on_spot(plans: dict[int, Plan]) -> None:
    workers = by_name(plans[2], "gm-worker-asg")
    distribution = get(workers, "mixedInstancesPolicy.instancesDistribution")
    assert distribution["onDemandBaseCapacity"] == 1
    assert 0 < distribution["onDemandPercentageAboveBaseCapacity"] < 100
    assert workers.inputs["healthCheckType"] == "EC2"


def test_phase3_has_three_multi_az_shards_with_replicas_and_proxies(plans: dict[int, Plan]) -> None:
    plan = plans[3]
    shard_writers = writers(plan)
    assert len(shard_writers) == 3
    assert all(w.inputs["multiAz"] for w in shard_writers)
    sources = sorted(r.inputs["replicateSourceDb"] for r in replicas(plan))
    assert sources == sorted([w.inputs["identifier"] for w in shard_writers] * 2)
    proxies = plan.of_type("aws:rds/proxy:Proxy")
    assert len(proxies) == 3 and all(p.inputs["requireTls"] for p in proxies)
    targets = plan.of_type("aws:rds/proxyTarget:ProxyTarget")
    assert sorted(t.inputs["dbInstanceIdentifier"] for t in targets) == sorted(
        w.inputs["identifier"] for w in shard_writers
    )


def test_phase4_splits_services_behind_path_rules_and_lattice(plans: dict[int, Plan]) -> None:
    plan = plans[4]
    sizes = asg_sizes(plan)
    services = ["ai-ml", "auth", "matching", "analytics"]
    for service in services:
        assert f"gm-services-{service}-asg" in sizes
        tg = by_name(plan, f"gm-web-{service}-tg")
        assert tg.inputs["port"] == 8000
        rule = by_name(plan, f"gm-web-{service}-route")
        assert get(rule, "actions.0.targetGroupArn").startswith("arn:aws:elasticloadbalancing")
        assert get(rule, "conditions.0.pathPattern.values")
    priorities = [r.inputs["priority"] for r in plan.of_type(RULE)]
    assert len(priorities) == len(set(priorities))
    assert len(plan.of_type("aws:vpclattice/serviceNetwork:ServiceNetwork")) == 1
    assert len(plan.of_type("aws:vpclattice/service:Service")) == 4
    assert (
        len(
            plan.of_type("aws:vpclattice/serviceNetworkVpcAssociation:ServiceNetworkVpcAssociation")
        )
        == 1
    )
    attachments = plan.of_type("aws:autoscaling/trafficSourceAttachment:TrafficSourceAttachment")
    assert {get(a, "trafficSource.type") for a in attachments} == {"vpc-lattice"}
    assert len(plan.of_type(TG)) == 5


def test_lattice_only_in_phase4_and_app_mesh_nowhere(plans: dict[int, Plan]) -> None:
    for phase, plan in plans.items():
        types = {r.type for r in plan.resources}
        assert not any(t.startswith("aws:appmesh") for t in types)
        assert any(t.startswith("aws:vpclattice") for t in types) == (phase == 4)


def test_every_phase_has_cdn_monitoring_and_an_artifact(plans: dict[int, Plan]) -> None:
    for plan in plans.values():
        assert len(plan.of_type("aws:cloudfront/distribution:Distribution")) == 1
        alarms = {
            a.inputs.get("metricName")
            for a in plan.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
        }
        assert {
            "HTTPCode_ELB_5XX_Count",
            "TargetResponseTime",
            "CPUUtilization",
            "DatabaseConnections",
            "FreeStorageSpace",
            "EngineCPUUtilization",
            "DatabaseMemoryUsagePercentage",
            "Evictions",
        } <= alarms
        assert ("ReplicaLag" in alarms) == (plan.phase >= 2)
        assert len(plan.of_type("aws:cloudwatch/dashboard:Dashboard")) == 1
        release = plan.of_type("aws:s3/bucketObjectv2:BucketObjectv2")
        assert any(r.inputs["key"].startswith("releases/app-") for r in release)


def test_asgs_use_elb_health_checks_target_tracking_and_instance_refresh(
    plans: dict[int, Plan],
) -> None:
    plan = plans[2]
    api = by_name(plan, "gm-api-asg")
    assert api.inputs["healthCheckType"] == "ELB"
    assert api.inputs["targetGroupArns"]
    assert get(api, "instanceRefresh.strategy") == "Rolling"
    assert get(api, "instanceRefresh.preferences.minHealthyPercentage") >= 90
    policies = plan.of_type("aws:autoscaling/policy:Policy")
    assert {p.inputs["policyType"] for p in policies} == {"TargetTrackingScaling"}
    assert len(policies) == len(plan.of_type(ASG))
