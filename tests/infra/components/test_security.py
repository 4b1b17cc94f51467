"""Secure defaults in every phase: encryption, no public data, IMDSv2, least privilege."""

from __future__ import annotations

import json

import pytest

from infra.plan.mocks import MOCK_SECRET_PREFIX, _digest
from infra.plan.model import SECRET, Plan
from tests.infra.plan_readers import (
    CDN,
    EGRESS,
    INGRESS,
    LT,
    RDS,
    REDIS,
    TG,
    by_name,
    get,
    sg_names,
    user_data,
    writers,
)

PHASES = (1, 2, 3, 4)


@pytest.mark.parametrize("phase", PHASES)
def test_databases_are_encrypted_private_protected_and_backed_up(
    plans: dict[int, Plan], phase: int
) -> None:
    for db in plans[phase].of_type(RDS):
        assert db.inputs["storageEncrypted"] is True
        assert db.inputs["publiclyAccessible"] is False
        assert db.inputs["deletionProtection"] is True
        assert db.inputs["backupRetentionPeriod"] >= 7
        assert db.protect
    for db in writers(plans[phase]):
        assert db.inputs["engine"] == "mariadb" and db.inputs["engineVersion"].startswith("10.11")
        # Our own generated secret: RDS refuses replicas of a source whose password it manages.
        assert "manageMasterUserPassword" not in db.inputs
        assert db.inputs["password"] == SECRET
    params = plans[phase].of_type("aws:rds/parameterGroup:ParameterGroup")[0]
    values = {p["name"]: p["value"] for p in params.inputs["parameters"]}
    assert values["query_cache_type"] == "1" and values["require_secure_transport"] == "1"
    # The slow log is written to a file, which is what RDS exports to CloudWatch Logs.
    assert values["slow_query_log"] == "1" and values["log_output"] == "FILE"


@pytest.mark.parametrize("phase", PHASES)
def test_redis_is_encrypted_with_a_secret_auth_token(plans: dict[int, Plan], phase: int) -> None:
    groups = plans[phase].of_type(REDIS)
    assert len(groups) == 2  # the query cache and, apart, the sessions
    for redis in groups:
        assert redis.inputs["atRestEncryptionEnabled"] is True
        assert redis.inputs["transitEncryptionEnabled"] is True
        assert redis.inputs["authToken"] == SECRET
        assert redis.inputs["engine"] == "redis"
        assert redis.protect


@pytest.mark.parametrize("phase", PHASES)
def test_sessions_have_their_own_noeviction_redis_read_by_the_instances(
    plans: dict[int, Plan], phase: int
) -> None:
    plan = plans[phase]
    cache, sessions = by_name(plan, "gm-redis", REDIS), by_name(plan, "gm-redis-sessions", REDIS)
    assert cache.inputs["replicationGroupId"] != sessions.inputs["replicationGroupId"]
    assert cache.inputs["parameterGroupName"] == "default.redis7"  # the cache may evict
    params = by_name(plan, "gm-redis-sessions-params")
    assert params.inputs["parameters"] == [{"name": "maxmemory-policy", "value": "noeviction"}]
    assert params.urn in sessions.dependencies
    assert sessions.inputs["numCacheClusters"] == cache.inputs["numCacheClusters"]
    secret = by_name(plan, "gm-redis-sessions-auth")
    assert secret.protect and by_name(plan, "gm-redis-sessions-auth-token").protect
    readable = json.loads(by_name(plan, "gm-instance-runtime").inputs["policy"])["Statement"][1]
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:gm-redis-sessions-auth-"
    assert any(str(r).startswith(arn) for r in readable["Resource"])
    boot = user_data(by_name(plan, "gm-api-lt"))
    assert '"session_redis":{"host":' in boot and arn in boot
    assert "sessionRedisEndpoint" in plan.outputs


@pytest.mark.parametrize("phase", PHASES)
def test_no_secret_value_appears_anywhere_in_the_plan(plans: dict[int, Plan], phase: int) -> None:
    text = plans[phase].to_json()
    assert MOCK_SECRET_PREFIX not in text
    version = plans[phase].of_type("aws:secretsmanager/secretVersion:SecretVersion")[0]
    assert version.inputs["secretString"] == SECRET


@pytest.mark.parametrize("phase", PHASES)
def test_launch_templates_require_imdsv2_and_keep_secrets_out_of_user_data(
    plans: dict[int, Plan], phase: int
) -> None:
    plan = plans[phase]
    for lt in plan.of_type(LT):
        assert get(lt, "metadataOptions.httpTokens") == "required"
        assert get(lt, "iamInstanceProfile.name")
        script = user_data(lt)
        assert script.startswith("#!") or script.startswith("Content-Type: multipart")
        assert len(lt.inputs["userData"]) < 16 * 1024 * 4 // 3 + 4
        assert MOCK_SECRET_PREFIX not in script and SECRET not in script
        assert plan.outputs["artifactKey"] in script
        for block in lt.inputs["blockDeviceMappings"]:
            assert block["ebs"]["encrypted"] == "true"


@pytest.mark.parametrize("phase", PHASES)
def test_load_balancer_defaults(plans: dict[int, Plan], phase: int) -> None:
    plan = plans[phase]
    alb = by_name(plan, "gm-web-alb")
    assert alb.inputs["dropInvalidHeaderFields"] is True
    assert alb.inputs["enableDeletionProtection"] is True
    tg = by_name(plan, "gm-web-api-tg")
    assert tg.inputs["port"] == 8000
    assert tg.inputs["healthCheck"] == {
        "enabled": True,
        "path": "/health",
        "protocol": "HTTP",
        "port": "traffic-port",
        "interval": 30,
        "timeout": 5,
        "healthyThreshold": 3,
        "unhealthyThreshold": 2,
        "matcher": "200",
    }
    for group in plan.of_type(TG):
        assert group.inputs["healthCheck"]["path"] == "/health"


@pytest.mark.parametrize("phase", PHASES)
def test_buckets_block_public_access_and_cdn_redirects_to_https(
    plans: dict[int, Plan], phase: int
) -> None:
    plan = plans[phase]
    blocks = plan.of_type("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert len(blocks) == len(plan.of_type("aws:s3/bucket:Bucket")) == 2
    for block in blocks:
        assert all(
            block.inputs[k]
            for k in (
                "blockPublicAcls",
                "blockPublicPolicy",
                "ignorePublicAcls",
                "restrictPublicBuckets",
            )
        )
    cdn = plan.of_type(CDN)[0]
    assert get(cdn, "defaultCacheBehavior.viewerProtocolPolicy") == "redirect-to-https"
    static = get(cdn, "orderedCacheBehaviors.0")
    assert static["pathPattern"] == "/static/*"
    assert static["viewerProtocolPolicy"] == "redirect-to-https"
    assert (static["minTtl"], static["defaultTtl"], static["maxTtl"]) == (0, 86400, 31536000)
    # The default *.cloudfront.net certificate: AWS pins TLSv1 and reports it back, so a
    # minimumProtocolVersion would show as a change on every preview.
    assert get(cdn, "viewerCertificate.cloudfrontDefaultCertificate") is True
    assert get(cdn, "viewerCertificate.minimumProtocolVersion") is None
    # CachingDisabled cannot compress; the legacy-cached /static/* behaviour can.
    assert get(cdn, "defaultCacheBehavior.compress") is False and static["compress"] is True
    origins = {o["originId"]: o for o in cdn.inputs["origins"]}
    assert origins["static-s3"]["originAccessControlId"]
    policies = {
        r.name: json.loads(r.inputs["policy"])
        for r in plan.of_type("aws:s3/bucketPolicy:BucketPolicy")
    }
    assert set(policies) == {"gm-cdn-static-policy", "gm-artifact-bucket-policy"}
    for document in policies.values():
        deny = next(s for s in document["Statement"] if s["Sid"] == "TlsOnly")
        assert deny["Effect"] == "Deny"
        assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    policy = policies["gm-cdn-static-policy"]
    assert policy["Statement"][0]["Condition"]["StringEquals"]["AWS:SourceArn"].startswith(
        "arn:aws:cloudfront::"
    )


@pytest.mark.parametrize("phase", PHASES)
def test_security_group_chain_is_least_privilege(plans: dict[int, Plan], phase: int) -> None:
    plan = plans[phase]
    names = sg_names(plan)
    ingress = [(names[r.inputs["securityGroupId"]], r.inputs) for r in plan.of_type(INGRESS)]
    open_to_world = [
        (sg, i["fromPort"]) for sg, i in ingress if i.get("cidrIpv4") or i.get("cidrIpv6")
    ]
    assert open_to_world == []  # not even the ALB: CloudFront's prefix list only
    from_prefix_lists = [(sg, i["fromPort"]) for sg, i in ingress if i.get("prefixListId")]
    assert ("alb", 80) in from_prefix_lists  # no certificate in these stacks: HTTP from CloudFront
    assert [p for p in from_prefix_lists if p[0] == "alb"] == [("alb", 80)]  # one port: quota
    cloudfront = [
        r.inputs["prefixListId"]
        for r in plan.of_type(INGRESS)
        if names[r.inputs["securityGroupId"]] == "alb"
    ]
    # the mocks name a managed prefix list by a digest of the name asked for
    assert cloudfront == [f"pl-{_digest('com.amazonaws.global.cloudfront.origin-facing', 17)}"]
    from_groups = {
        (names[i["referencedSecurityGroupId"]], sg, i["fromPort"])
        for sg, i in ingress
        if i.get("referencedSecurityGroupId")
    }
    assert ("alb", "app", 8000) in from_groups
    assert ("app", "db", 3306) in from_groups and ("app", "redis", 6379) in from_groups
    for source, target, port in from_groups:
        assert source != "alb" or port == 8000, (source, target, port)
        if target == "db":
            assert port == 3306 and source in {"app", "worker", "proxy", "gm-services"}
        if target == "redis":
            assert port == 6379 and source in {"app", "worker", "gm-services"}
    for sg, i in ingress:
        assert i["ipProtocol"] == "tcp" and i["fromPort"] == i["toPort"], (sg, i)
    egress = [r.inputs for r in plan.of_type(EGRESS)]
    assert all(e["ipProtocol"] == "tcp" for e in egress)
    assert not any(names[e["securityGroupId"]] in {"db", "redis"} for e in egress)
    if phase >= 3:
        assert ("proxy", "db", 3306) in from_groups and ("app", "proxy", 3306) in from_groups


@pytest.mark.parametrize("phase", PHASES)
def test_each_writer_has_its_own_credentials_secret_read_by_role_proxy_and_boot(
    plans: dict[int, Plan], phase: int
) -> None:
    plan = plans[phase]
    secrets = {r.name: r for r in plan.of_type("aws:secretsmanager/secret:Secret")}
    arns = {
        name: f"arn:aws:secretsmanager:us-east-1:123456789012:secret:{name}-" for name in secrets
    }
    role_policy = json.loads(by_name(plan, "gm-instance-runtime").inputs["policy"])
    readable = role_policy["Statement"][1]["Resource"]
    boot = user_data(by_name(plan, "gm-api-lt"))
    for writer in writers(plan):
        secret_name = f"{writer.name}-master"
        assert secret_name in secrets and secrets[secret_name].protect
        password = by_name(plan, f"{writer.name}-master-password")
        assert password.urn in writer.dependencies
        assert any(arn.startswith(arns[secret_name]) for arn in readable)
        if phase >= 3:
            proxy = next(
                p
                for p in plan.of_type("aws:rds/proxy:Proxy")
                if p.name.endswith(f"-{writers(plan).index(writer)}")
            )
            assert proxy.inputs["auths"][0]["secretArn"].startswith(arns[secret_name])
    assert arns["gm-db-master"] in boot


@pytest.mark.parametrize("phase", PHASES)
def test_the_settings_budget_never_underestimates_the_real_user_data(
    plans: dict[int, Plan], phase: int
) -> None:
    from infra.stack_files import settings_for_phase
    from infra.userdata_budget import largest_user_data

    estimate = largest_user_data(settings_for_phase(phase))
    for lt in plans[phase].of_type(LT):
        assert len(user_data(lt).encode()) <= estimate, lt.name


@pytest.mark.parametrize("phase", PHASES)
def test_alarm_topic_uses_a_key_cloudwatch_may_use(plans: dict[int, Plan], phase: int) -> None:
    plan = plans[phase]
    topic = plan.of_type("aws:sns/topic:Topic")[0]
    key = plan.of_type("aws:kms/key:Key")[0]
    assert topic.inputs["kmsMasterKeyId"] == key.inputs.get("arn", topic.inputs["kmsMasterKeyId"])
    assert topic.inputs["kmsMasterKeyId"].startswith("arn:aws:kms:")
    assert key.urn in topic.dependencies and key.inputs["enableKeyRotation"] is True
    statements = json.loads(key.inputs["policy"])["Statement"]
    cloudwatch = [
        s for s in statements if s["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    ]
    assert cloudwatch and set(cloudwatch[0]["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}


@pytest.mark.parametrize("phase", PHASES)
def test_vpc_logs_every_flow_and_locks_its_default_group(
    plans: dict[int, Plan], phase: int
) -> None:
    plan = plans[phase]
    vpc_id = f"{by_name(plan, 'gm-network-vpc').name}-id"
    flow = plan.of_type("aws:ec2/flowLog:FlowLog")[0]
    assert flow.inputs["vpcId"] == vpc_id and flow.inputs["trafficType"] == "ALL"
    group = plan.of_type("aws:cloudwatch/logGroup:LogGroup")[0]
    assert group.inputs["retentionInDays"] >= 30
    assert flow.inputs["logDestination"].startswith("arn:aws:logs:")
    default = plan.of_type("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")[0]
    assert default.inputs["vpcId"] == vpc_id
    assert not default.inputs.get("ingress") and not default.inputs.get("egress")


@pytest.mark.parametrize("phase", PHASES)
def test_instances_may_publish_metrics_to_the_app_namespace_only(
    plans: dict[int, Plan], phase: int
) -> None:
    plan = plans[phase]
    statements = json.loads(by_name(plan, "gm-instance-runtime").inputs["policy"])["Statement"]
    publish = [s for s in statements if "cloudwatch:PutMetricData" in s["Action"]]
    assert publish == [
        {
            "Sid": "PublishAppMetrics",
            "Effect": "Allow",
            "Action": ["cloudwatch:PutMetricData"],
            "Resource": ["*"],
            "Condition": {"StringEquals": {"cloudwatch:namespace": "GreenMatchers"}},
        }
    ]
    attached = [
        r.inputs["policyArn"]
        for r in plan.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if r.name.startswith("gm-instance-")
    ]
    assert attached == []  # no managed policy: neither CloudWatch's agent nor SSM's core
    agent = json.loads(by_name(plan, "gm-instance-ssm-agent").inputs["policy"])["Statement"]
    assert [s["Sid"] for s in agent] == ["SsmAgent"]
    assert not [a for a in agent[0]["Action"] if a.startswith(("cloudwatch:", "ssm:Get"))]
    for lt in plan.of_type(LT):
        boot = user_data(lt)
        assert f'"stack":"phase{phase}","metrics":"GreenMatchers"' in boot, lt.name
