"""CloudFront, CloudWatch alarms and dashboard, SNS, and VPC Lattice (phase 4)."""

from __future__ import annotations

from typing import Any

from infra.engines.handlers.base import Applied, Context, Handler, integer, same_again, tag_list
from infra.engines.state import ResourceState
from infra.plan.model import PlannedResource

NO_LATTICE_DELETE = "moto has no VPC Lattice delete calls: a removed item stays in the emulator"


def _items(values: list[Any]) -> dict[str, Any]:
    return {"Quantity": len(values), "Items": list(values)}


def _methods(behavior: dict[str, Any]) -> dict[str, Any]:
    allowed = _items(behavior.get("allowedMethods", ["GET", "HEAD"]))
    allowed["CachedMethods"] = _items(behavior.get("cachedMethods", ["GET", "HEAD"]))
    return allowed


def _behavior(behavior: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "TargetOriginId": behavior["targetOriginId"],
        "ViewerProtocolPolicy": behavior.get("viewerProtocolPolicy", "redirect-to-https"),
        "AllowedMethods": _methods(behavior),
        "Compress": bool(behavior.get("compress", True)),
    }
    for key, name in (
        ("cachePolicyId", "CachePolicyId"),
        ("originRequestPolicyId", "OriginRequestPolicyId"),
        ("responseHeadersPolicyId", "ResponseHeadersPolicyId"),
    ):
        if behavior.get(key):
            out[name] = behavior[key]
    if "forwardedValues" in behavior:
        forwarded = behavior["forwardedValues"]
        out["ForwardedValues"] = {
            "QueryString": bool(forwarded.get("queryString", False)),
            "Cookies": {"Forward": forwarded.get("cookies", {}).get("forward", "none")},
        }
        out["MinTTL"] = integer(behavior.get("minTtl", 0))
        out["DefaultTTL"] = integer(behavior.get("defaultTtl", 86400))
        out["MaxTTL"] = integer(behavior.get("maxTtl", 31536000))
    if "pathPattern" in behavior:
        out["PathPattern"] = behavior["pathPattern"]
    return out


def _origin(origin: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"Id": origin["originId"], "DomainName": origin["domainName"]}
    custom = origin.get("customOriginConfig")
    if custom:
        out["CustomOriginConfig"] = {
            "HTTPPort": integer(custom.get("httpPort", 80)),
            "HTTPSPort": integer(custom.get("httpsPort", 443)),
            "OriginProtocolPolicy": custom.get("originProtocolPolicy", "https-only"),
            "OriginSslProtocols": _items(custom.get("originSslProtocols", ["TLSv1.2"])),
            "OriginReadTimeout": integer(custom.get("originReadTimeout", 30)),
            "OriginKeepaliveTimeout": integer(custom.get("originKeepaliveTimeout", 5)),
        }
    else:
        out["S3OriginConfig"] = {"OriginAccessIdentity": ""}
        if origin.get("originAccessControlId"):
            out["OriginAccessControlId"] = origin["originAccessControlId"]
    return out


def _distribution_config(reference: str, inputs: dict[str, Any]) -> dict[str, Any]:
    certificate = inputs.get("viewerCertificate") or {"cloudfrontDefaultCertificate": True}
    viewer: dict[str, Any] = (
        {"CloudFrontDefaultCertificate": True}
        if certificate.get("cloudfrontDefaultCertificate")
        else {
            "ACMCertificateArn": certificate["acmCertificateArn"],
            "SSLSupportMethod": certificate.get("sslSupportMethod", "sni-only"),
            "MinimumProtocolVersion": certificate.get("minimumProtocolVersion", "TLSv1.2_2021"),
        }
    )
    config: dict[str, Any] = {
        "CallerReference": reference,
        "Comment": inputs.get("comment", ""),
        "Enabled": bool(inputs.get("enabled", True)),
        "PriceClass": inputs.get("priceClass", "PriceClass_All"),
        "HttpVersion": inputs.get("httpVersion", "http2"),
        "IsIPV6Enabled": bool(inputs.get("isIpv6Enabled", True)),
        "Origins": _items([_origin(o) for o in inputs["origins"]]),
        "DefaultCacheBehavior": _behavior(inputs["defaultCacheBehavior"]),
        "CacheBehaviors": _items([_behavior(b) for b in inputs.get("orderedCacheBehaviors", [])]),
        "Restrictions": {"GeoRestriction": {"RestrictionType": "none", "Quantity": 0}},
        "ViewerCertificate": viewer,
    }
    if inputs.get("aliases"):
        config["Aliases"] = _items(inputs["aliases"])
    return config


def _distribution_outputs(dist: dict[str, Any]) -> dict[str, Any]:
    return {
        "arn": dist.get("ARN", ""),
        "domainName": dist.get("DomainName", ""),
        "status": dist.get("Status", ""),
        "hostedZoneId": "Z2FDTNDATAQYW2",
    }


def _distribution(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    reference = ctx.physical_name(res)
    found = ctx.client("cloudfront").create_distribution(
        DistributionConfig=_distribution_config(reference, inputs)
    )
    dist = found["Distribution"]
    return Applied(
        id=dist["Id"], outputs={**_distribution_outputs(dist), "callerReference": reference}
    )


def _update_distribution(
    ctx: Context, res: PlannedResource, old: ResourceState, inputs: dict[str, Any]
) -> Applied:
    cloudfront = ctx.client("cloudfront")
    etag = cloudfront.get_distribution_config(Id=old.id)["ETag"]
    reference = str(old.outputs.get("callerReference") or ctx.physical_name(res))
    dist = cloudfront.update_distribution(
        Id=old.id, IfMatch=etag, DistributionConfig=_distribution_config(reference, inputs)
    )["Distribution"]
    return Applied(id=old.id, outputs={**old.outputs, **_distribution_outputs(dist)})


def _delete_distribution(ctx: Context, old: ResourceState) -> None:
    cloudfront = ctx.client("cloudfront")
    etag = cloudfront.get_distribution_config(Id=old.id)["ETag"]
    cloudfront.delete_distribution(Id=old.id, IfMatch=etag)


def _oac(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    name = str(inputs.get("name") or ctx.physical_name(res, 64))
    found = ctx.client("cloudfront").create_origin_access_control(
        OriginAccessControlConfig={
            "Name": name,
            "Description": inputs.get("description", ""),
            "SigningProtocol": inputs.get("signingProtocol", "sigv4"),
            "SigningBehavior": inputs.get("signingBehavior", "always"),
            "OriginAccessControlOriginType": inputs.get("originAccessControlOriginType", "s3"),
        }
    )["OriginAccessControl"]
    return Applied(id=found["Id"], outputs={"name": name})


def _delete_oac(ctx: Context, old: ResourceState) -> None:
    cloudfront = ctx.client("cloudfront")
    etag = cloudfront.get_origin_access_control(Id=old.id).get("ETag", "")
    cloudfront.delete_origin_access_control(Id=old.id, IfMatch=etag)


def dimension_list(dimensions: Any) -> list[dict[str, str]]:
    return [{"Name": k, "Value": str(v)} for k, v in sorted((dimensions or {}).items())]


def metric_queries(queries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pulumi's ``metricQueries`` as the API's ``Metrics`` (MetricDataQuery) list."""
    converted = []
    for query in queries:
        item: dict[str, Any] = {"Id": query["id"], "ReturnData": bool(query.get("returnData"))}
        if query.get("expression"):
            item["Expression"] = query["expression"]
        if query.get("label"):
            item["Label"] = query["label"]
        metric = query.get("metric")
        if metric:
            item["MetricStat"] = {
                "Metric": {
                    "Namespace": metric["namespace"],
                    "MetricName": metric["metricName"],
                    "Dimensions": dimension_list(metric.get("dimensions")),
                },
                "Period": integer(metric["period"]),
                "Stat": metric["stat"],
            }
        converted.append(item)
    return converted


def _alarm(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    name = str(inputs.get("name") or ctx.physical_name(res, 255))
    args: dict[str, Any] = {
        "AlarmName": name,
        "AlarmDescription": inputs.get("alarmDescription", ""),
        "EvaluationPeriods": integer(inputs["evaluationPeriods"]),
        "Threshold": float(inputs["threshold"]),
        "ComparisonOperator": inputs["comparisonOperator"],
        "TreatMissingData": inputs.get("treatMissingData", "missing"),
        "AlarmActions": inputs.get("alarmActions", []),
        "OKActions": inputs.get("okActions", []),
        "Tags": tag_list(inputs),
    }
    if inputs.get("metricQueries"):  # metric math (a rate): no single metric
        args["Metrics"] = metric_queries(inputs["metricQueries"])
    else:
        args |= {
            "Namespace": inputs["namespace"],
            "MetricName": inputs["metricName"],
            "Dimensions": dimension_list(inputs.get("dimensions")),
            "Period": integer(inputs["period"]),
        }
        if inputs.get("extendedStatistic"):
            args["ExtendedStatistic"] = inputs["extendedStatistic"]
        else:
            args["Statistic"] = inputs.get("statistic", "Average")
    ctx.client("cloudwatch").put_metric_alarm(**args)
    arn = f"arn:aws:cloudwatch:{ctx.region}:123456789012:alarm:{name}"
    return Applied(id=name, outputs={"arn": arn, "name": name})


def _dashboard(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    name = str(inputs["dashboardName"])
    ctx.client("cloudwatch").put_dashboard(
        DashboardName=name, DashboardBody=inputs["dashboardBody"]
    )
    return Applied(
        id=name, outputs={"dashboardArn": f"arn:aws:cloudwatch::123456789012:dashboard/{name}"}
    )


def _kms_key(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    kms = ctx.client("kms")
    meta = kms.create_key(
        Description=str(inputs.get("description", "")),
        Policy=str(inputs["policy"]),
        Tags=tag_list(inputs, key="TagKey", value="TagValue"),
    )["KeyMetadata"]
    if inputs.get("enableKeyRotation"):
        kms.enable_key_rotation(KeyId=meta["KeyId"])
    return Applied(id=meta["KeyId"], outputs={"arn": meta["Arn"], "keyId": meta["KeyId"]})


def _topic(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    name = str(inputs.get("name") or ctx.physical_name(res, 256))
    attributes = (
        {"KmsMasterKeyId": inputs["kmsMasterKeyId"]} if inputs.get("kmsMasterKeyId") else {}
    )
    arn = ctx.client("sns").create_topic(Name=name, Attributes=attributes, Tags=tag_list(inputs))[
        "TopicArn"
    ]
    return Applied(id=arn, outputs={"arn": arn, "name": name})


def _lattice_network(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    found = ctx.client("vpc-lattice").create_service_network(
        name=inputs["name"], authType=inputs.get("authType", "NONE"), tags=inputs.get("tags", {})
    )
    return Applied(
        id=found["id"],
        outputs={"arn": found["arn"], "name": inputs["name"]},
        note=NO_LATTICE_DELETE,
    )


def _lattice_service(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    found = ctx.client("vpc-lattice").create_service(
        name=inputs["name"], authType=inputs.get("authType", "NONE"), tags=inputs.get("tags", {})
    )
    return Applied(
        id=found["id"],
        outputs={
            "arn": found["arn"],
            "name": inputs["name"],
            "dnsEntries": [found.get("dnsEntry", {})],
        },
        note=NO_LATTICE_DELETE,
    )


def _lattice_target_group(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    config = inputs.get("config", {})
    check = config.get("healthCheck", {})
    found = ctx.client("vpc-lattice").create_target_group(
        name=inputs["name"],
        type=inputs.get("type", "INSTANCE"),
        config={
            "port": integer(config.get("port", 80)),
            "protocol": config.get("protocol", "HTTP"),
            "vpcIdentifier": config["vpcIdentifier"],
            "healthCheck": {
                "enabled": bool(check.get("enabled", True)),
                "path": check.get("path", "/"),
                "protocol": check.get("protocol", "HTTP"),
                "healthCheckIntervalSeconds": integer(check.get("healthCheckIntervalSeconds", 30)),
                "healthCheckTimeoutSeconds": integer(check.get("healthCheckTimeoutSeconds", 5)),
                "healthyThresholdCount": integer(check.get("healthyThresholdCount", 5)),
                "unhealthyThresholdCount": integer(check.get("unhealthyThresholdCount", 2)),
            },
        },
        tags=inputs.get("tags", {}),
    )
    return Applied(
        id=found["id"],
        outputs={"arn": found["arn"], "name": inputs["name"]},
        note=NO_LATTICE_DELETE,
    )


def _lattice_listener(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    action = inputs["defaultAction"]
    forward = action.get("forward") or (action.get("forwards") or [{}])[0]
    groups = forward.get("targetGroups") or forward.get("target_groups") or []
    found = ctx.client("vpc-lattice").create_listener(
        serviceIdentifier=inputs["serviceIdentifier"],
        name=str(inputs.get("name") or ctx.physical_name(res, 63)),
        protocol=inputs.get("protocol", "HTTPS"),
        port=integer(inputs.get("port", 443)),
        defaultAction={
            "forward": {
                "targetGroups": [
                    {
                        "targetGroupIdentifier": g.get("targetGroupIdentifier")
                        or g.get("target_group_identifier"),
                        "weight": integer(g.get("weight", 100)),
                    }
                    for g in groups
                ]
            }
        },
        tags=inputs.get("tags", {}),
    )
    return Applied(id=found["id"], outputs={"arn": found["arn"]}, note=NO_LATTICE_DELETE)


def _lattice_service_association(
    ctx: Context, res: PlannedResource, inputs: dict[str, Any]
) -> Applied:
    found = ctx.client("vpc-lattice").create_service_network_service_association(
        serviceIdentifier=inputs["serviceIdentifier"],
        serviceNetworkIdentifier=inputs["serviceNetworkIdentifier"],
        tags=inputs.get("tags", {}),
    )
    return Applied(id=found["id"], outputs={"arn": found["arn"]}, note=NO_LATTICE_DELETE)


def _lattice_vpc_association(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    found = ctx.client("vpc-lattice").create_service_network_vpc_association(
        serviceNetworkIdentifier=inputs["serviceNetworkIdentifier"],
        vpcIdentifier=inputs["vpcIdentifier"],
        securityGroupIds=inputs.get("securityGroupIds", []),
        tags=inputs.get("tags", {}),
    )
    return Applied(id=found["id"], outputs={"arn": found["arn"]}, note=NO_LATTICE_DELETE)


def _lattice_auth_policy(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    target = inputs["resourceIdentifier"]
    ctx.client("vpc-lattice").put_auth_policy(resourceIdentifier=target, policy=inputs["policy"])
    return Applied(id=target, outputs={"resourceIdentifier": target})


HANDLERS: dict[str, Handler] = {
    "aws:cloudfront/distribution:Distribution": Handler(
        create=_distribution, update=_update_distribution, delete=_delete_distribution
    ),
    "aws:cloudfront/originAccessControl:OriginAccessControl": Handler(
        create=_oac, delete=_delete_oac
    ),
    "aws:cloudwatch/metricAlarm:MetricAlarm": Handler(
        create=_alarm,
        update=same_again(_alarm),
        delete=lambda ctx, old: ctx.client("cloudwatch").delete_alarms(AlarmNames=[old.id]),
    ),
    "aws:cloudwatch/dashboard:Dashboard": Handler(
        create=_dashboard,
        update=same_again(_dashboard),
        delete=lambda ctx, old: ctx.client("cloudwatch").delete_dashboards(DashboardNames=[old.id]),
    ),
    "aws:kms/key:Key": Handler(
        create=_kms_key,
        delete=lambda ctx, old: ctx.client("kms").schedule_key_deletion(
            KeyId=old.id, PendingWindowInDays=7
        ),
    ),
    "aws:sns/topic:Topic": Handler(
        create=_topic, delete=lambda ctx, old: ctx.client("sns").delete_topic(TopicArn=old.id)
    ),
    "aws:vpclattice/serviceNetwork:ServiceNetwork": Handler(
        create=_lattice_network, note=NO_LATTICE_DELETE
    ),
    "aws:vpclattice/service:Service": Handler(create=_lattice_service, note=NO_LATTICE_DELETE),
    "aws:vpclattice/targetGroup:TargetGroup": Handler(
        create=_lattice_target_group, note=NO_LATTICE_DELETE
    ),
    "aws:vpclattice/listener:Listener": Handler(create=_lattice_listener, note=NO_LATTICE_DELETE),
    "aws:vpclattice/serviceNetworkServiceAssociation:ServiceNetworkServiceAssociation": Handler(
        create=_lattice_service_association, note=NO_LATTICE_DELETE
    ),
    "aws:vpclattice/serviceNetworkVpcAssociation:ServiceNetworkVpcAssociation": Handler(
        create=_lattice_vpc_association, note=NO_LATTICE_DELETE
    ),
    "aws:vpclattice/authPolicy:AuthPolicy": Handler(
        create=_lattice_auth_policy,
        update=same_again(_lattice_auth_policy),  # PutAuthPolicy replaces the document
        delete=lambda ctx, old: ctx.client("vpc-lattice").delete_auth_policy(
            resourceIdentifier=old.id
        ),
    ),
}
