"""Per Pulumi type: how its inputs translate to CloudFormation and what it outputs.

Which CloudFormation type a Pulumi type becomes (or why none) is the type catalogue's fact
(``infra/plan/types``); this module holds only the translations, keyed by Pulumi type
token, and checks at import that they agree with the catalogue. Each entry is one of:

- ``CfnType``: the resource becomes one CloudFormation resource. ``translate`` maps wire
  inputs (camelCase, Pulumi's nesting and units) to CloudFormation ``Properties``;
  ``outputs`` says which intrinsic yields each output the plan's mocks give it (so a
  dependent resource's input that holds that output becomes a ``Ref``/``Fn::GetAtt``).
- ``Fold``: the resource is a property of another one in CloudFormation (an S3 bucket's
  versioning, a role's managed policy attachment); ``apply`` merges it into the target.
- ``NO_EQUIVALENT`` (derived from the catalogue): CloudFormation has nothing like it; the
  export lists it with the catalogue's reason.

Property names come from the CloudFormation resource reference (docs.aws.amazon.com/
AWSCloudFormation/latest/TemplateReference/aws-template-resource-type-ref.html).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from infra.export.wire import attributes, boolean, cfn_tags, document, pascal_keys, pick
from infra.plan.types import CATALOGUE, facts

Props = dict[str, Any]
Translate = Callable[[Props, str], Props]

# An output is produced by ``Ref`` or by ``Fn::GetAtt`` of the named attribute.
REF = "Ref"
# An output CloudFormation has no attribute for, built with ``Fn::Sub`` (``${Self}`` is the
# resource's ``Ref``).
SUB = "Sub:"


@dataclass(frozen=True)
class CfnType:
    """How a type's inputs become CloudFormation properties; the CloudFormation type name
    itself is the type catalogue's (``infra/plan/types``), read by ``cloudformation_type``."""

    translate: Translate
    outputs: dict[str, str] = field(default_factory=dict)
    # Inputs with no CloudFormation property (provider behaviour only); listed in Metadata.
    dropped: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fold:
    """Merged into the resource of ``into`` (a Pulumi type) that it depends on."""

    into: str
    apply: Callable[[Props, Props], None]


def _tags(inputs: Props) -> Props:
    tags = cfn_tags(inputs.get("tags"))
    return {"Tags": tags} if tags else {}


# --- networking -----------------------------------------------------------------------------


def _vpc(i: Props, _: str) -> Props:
    return {
        **pick(
            i,
            {
                "cidrBlock": "CidrBlock",
                "enableDnsHostnames": "EnableDnsHostnames",
                "enableDnsSupport": "EnableDnsSupport",
                "instanceTenancy": "InstanceTenancy",
            },
        ),
        **_tags(i),
    }


def _subnet(i: Props, _: str) -> Props:
    return {
        **pick(
            i,
            {
                "vpcId": "VpcId",
                "cidrBlock": "CidrBlock",
                "availabilityZone": "AvailabilityZone",
                "mapPublicIpOnLaunch": "MapPublicIpOnLaunch",
            },
        ),
        **_tags(i),
    }


def _tagged_in_vpc(i: Props, _: str) -> Props:
    return {**pick(i, {"vpcId": "VpcId"}), **_tags(i)}


def _only_tags(i: Props, _: str) -> Props:
    return _tags(i)


def _eip(i: Props, _: str) -> Props:
    return {**pick(i, {"domain": "Domain"}), **_tags(i)}


def _nat(i: Props, _: str) -> Props:
    return {**pick(i, {"allocationId": "AllocationId", "subnetId": "SubnetId"}), **_tags(i)}


def _route(i: Props, _: str) -> Props:
    return pick(
        i,
        {
            "routeTableId": "RouteTableId",
            "destinationCidrBlock": "DestinationCidrBlock",
            "destinationIpv6CidrBlock": "DestinationIpv6CidrBlock",
            "gatewayId": "GatewayId",
            "natGatewayId": "NatGatewayId",
        },
    )


def _route_association(i: Props, _: str) -> Props:
    return pick(i, {"routeTableId": "RouteTableId", "subnetId": "SubnetId"})


# The Terraform provider removes the allow-all egress rule EC2 adds to a new group; in
# CloudFormation the documented way to get a group with no egress is a rule that matches
# nothing (the loopback address). Separate egress-rule resources then add what is allowed.
NO_EGRESS = [{"CidrIp": "127.0.0.1/32", "IpProtocol": "-1", "Description": "no default egress"}]


def _security_group(i: Props, _: str) -> Props:
    props = pick(i, {"description": "GroupDescription", "name": "GroupName", "vpcId": "VpcId"})
    # The provider's default description, used when the input is absent.
    props.setdefault("GroupDescription", "Managed by Pulumi")
    props["SecurityGroupEgress"] = NO_EGRESS
    return {**props, **_tags(i)}


def _sg_rule(peer_prefix: str) -> Translate:
    def translate(i: Props, _: str) -> Props:
        return pick(
            i,
            {
                "securityGroupId": "GroupId",
                "ipProtocol": "IpProtocol",
                "fromPort": "FromPort",
                "toPort": "ToPort",
                "cidrIpv4": "CidrIp",
                "cidrIpv6": "CidrIpv6",
                "referencedSecurityGroupId": f"{peer_prefix}SecurityGroupId",
                "prefixListId": f"{peer_prefix}PrefixListId",
                "description": "Description",
            },
        )

    return translate


def _flow_log(i: Props, _: str) -> Props:
    props = pick(
        i,
        {
            "iamRoleArn": "DeliverLogsPermissionArn",
            "logDestination": "LogDestination",
            "logDestinationType": "LogDestinationType",
            "maxAggregationInterval": "MaxAggregationInterval",
            "trafficType": "TrafficType",
            "logFormat": "LogFormat",
        },
    )
    for wire, kind in (("vpcId", "VPC"), ("subnetId", "Subnet"), ("eniId", "NetworkInterface")):
        if i.get(wire):
            props.update(ResourceId=i[wire], ResourceType=kind)
    return {**props, **_tags(i)}


# --- compute --------------------------------------------------------------------------------


def _launch_template(i: Props, _: str) -> Props:
    data: Props = pick(
        i,
        {
            "imageId": "ImageId",
            "instanceType": "InstanceType",
            "userData": "UserData",
            "vpcSecurityGroupIds": "SecurityGroupIds",
            "keyName": "KeyName",
        },
    )
    if "ebsOptimized" in i:
        data["EbsOptimized"] = boolean(i["ebsOptimized"])
    if i.get("iamInstanceProfile"):
        data["IamInstanceProfile"] = pascal_keys(i["iamInstanceProfile"])
    if i.get("metadataOptions"):
        data["MetadataOptions"] = pascal_keys(i["metadataOptions"])
    if i.get("monitoring"):
        data["Monitoring"] = pascal_keys(i["monitoring"])
    mappings = []
    for mapping in i.get("blockDeviceMappings", []):
        ebs = {k: boolean(v) for k, v in pascal_keys(mapping.get("ebs", {})).items()}
        mappings.append({"DeviceName": mapping.get("deviceName"), "Ebs": ebs})
    if mappings:
        data["BlockDeviceMappings"] = mappings
    specs = [
        {"ResourceType": s["resourceType"], "Tags": cfn_tags(s.get("tags"))}
        for s in i.get("tagSpecifications", [])
    ]
    if specs:
        data["TagSpecifications"] = specs
    props: Props = {"LaunchTemplateData": data}
    if i.get("name"):
        props["LaunchTemplateName"] = i["name"]
    if i.get("description"):
        props["VersionDescription"] = i["description"]
    if i.get("tags"):
        props["TagSpecifications"] = [
            {"ResourceType": "launch-template", "Tags": cfn_tags(i["tags"])}
        ]
    return props


def _asg(i: Props, _: str) -> Props:
    props: Props = pick(
        i,
        {
            "name": "AutoScalingGroupName",
            "vpcZoneIdentifiers": "VPCZoneIdentifier",
            "targetGroupArns": "TargetGroupARNs",
            "healthCheckType": "HealthCheckType",
            "healthCheckGracePeriod": "HealthCheckGracePeriod",
            "defaultInstanceWarmup": "DefaultInstanceWarmup",
            "terminationPolicies": "TerminationPolicies",
            "capacityRebalance": "CapacityRebalance",
        },
    )
    for wire, cfn in (("minSize", "MinSize"), ("maxSize", "MaxSize")):
        props[cfn] = str(i.get(wire, 0))
    if i.get("desiredCapacity") is not None:
        props["DesiredCapacity"] = str(i["desiredCapacity"])
    if i.get("launchTemplate"):
        props["LaunchTemplate"] = _lt_spec(i["launchTemplate"])
    mixed = i.get("mixedInstancesPolicy")
    if mixed:
        lt = mixed.get("launchTemplate", {})
        props["MixedInstancesPolicy"] = {
            "InstancesDistribution": pascal_keys(mixed.get("instancesDistribution", {})),
            "LaunchTemplate": {
                "LaunchTemplateSpecification": _lt_spec(lt.get("launchTemplateSpecification", {})),
                "Overrides": pascal_keys(lt.get("overrides", [])),
            },
        }
    if i.get("enabledMetrics"):
        props["MetricsCollection"] = [{"Granularity": "1Minute", "Metrics": i["enabledMetrics"]}]
    tags = [
        {"Key": t["key"], "Value": t["value"], "PropagateAtLaunch": bool(t["propagateAtLaunch"])}
        for t in i.get("tags", [])
    ]
    if tags:
        props["Tags"] = tags
    return props


def _lt_spec(spec: Props) -> Props:
    template = spec.get("id") or spec.get("launchTemplateId")
    out: Props = {"LaunchTemplateId": template}
    if spec.get("name") or spec.get("launchTemplateName"):
        out = {"LaunchTemplateName": spec.get("name") or spec.get("launchTemplateName")}
    version = spec.get("version", "$Default")
    if isinstance(template, dict) and "Ref" in template and str(version).isdigit():
        # The mocks' version number is the template's latest version on real AWS.
        out["Version"] = {"Fn::GetAtt": [template["Ref"], "LatestVersionNumber"]}
    else:
        out["Version"] = str(version)
    return out


def _lifecycle_hook(i: Props, _: str) -> Props:
    return pick(
        i,
        {
            "name": "LifecycleHookName",
            "autoscalingGroupName": "AutoScalingGroupName",
            "lifecycleTransition": "LifecycleTransition",
            "heartbeatTimeout": "HeartbeatTimeout",
            "defaultResult": "DefaultResult",
        },
    )


def _scaling_policy(i: Props, _: str) -> Props:
    props = pick(
        i,
        {
            "autoscalingGroupName": "AutoScalingGroupName",
            "policyType": "PolicyType",
            "adjustmentType": "AdjustmentType",
            "scalingAdjustment": "ScalingAdjustment",
            "estimatedInstanceWarmup": "EstimatedInstanceWarmup",
            "metricAggregationType": "MetricAggregationType",
        },
    )
    if i.get("cooldown") is not None:
        props["Cooldown"] = str(i["cooldown"])
    if i.get("targetTrackingConfiguration"):
        props["TargetTrackingConfiguration"] = pascal_keys(i["targetTrackingConfiguration"])
    if i.get("stepAdjustments"):
        props["StepAdjustments"] = [
            {
                "ScalingAdjustment": step["scalingAdjustment"],
                **pick(
                    {k: _number(v) for k, v in step.items()},
                    {
                        "metricIntervalLowerBound": "MetricIntervalLowerBound",
                        "metricIntervalUpperBound": "MetricIntervalUpperBound",
                    },
                ),
            }
            for step in i["stepAdjustments"]
        ]
    return props


def _number(value: Any) -> Any:
    """The provider takes step bounds as strings; CloudFormation as numbers."""
    try:
        return float(value) if isinstance(value, str) else value
    except ValueError:
        return value


def _fold_traffic_source(asg: Props, i: Props) -> None:
    source = i.get("trafficSource", {})
    asg.setdefault("TrafficSources", []).append(
        {"Identifier": source.get("identifier"), "Type": source.get("type")}
    )


# --- load balancing -------------------------------------------------------------------------


def _load_balancer(i: Props, _: str) -> Props:
    props = pick(
        i,
        {
            "name": "Name",
            "loadBalancerType": "Type",
            "ipAddressType": "IpAddressType",
            "securityGroups": "SecurityGroups",
            "subnets": "Subnets",
        },
    )
    props["Scheme"] = "internal" if i.get("internal") else "internet-facing"
    logs = i.get("accessLogs") or {}
    attrs = attributes(
        {
            "deletion_protection.enabled": i.get("enableDeletionProtection"),
            "routing.http.desync_mitigation_mode": i.get("desyncMitigationMode"),
            "routing.http.drop_invalid_header_fields.enabled": i.get("dropInvalidHeaderFields"),
            "routing.http2.enabled": i.get("enableHttp2"),
            "idle_timeout.timeout_seconds": i.get("idleTimeout"),
            "access_logs.s3.enabled": logs.get("enabled"),
            "access_logs.s3.bucket": logs.get("bucket"),
            "access_logs.s3.prefix": logs.get("prefix"),
        }
    )
    if attrs:
        props["LoadBalancerAttributes"] = attrs
    return {**props, **_tags(i)}


def _target_group(i: Props, _: str) -> Props:
    props = pick(
        i,
        {
            "name": "Name",
            "port": "Port",
            "protocol": "Protocol",
            "protocolVersion": "ProtocolVersion",
            "targetType": "TargetType",
            "vpcId": "VpcId",
        },
    )
    check = i.get("healthCheck") or {}
    props.update(
        pick(
            check,
            {
                "enabled": "HealthCheckEnabled",
                "interval": "HealthCheckIntervalSeconds",
                "path": "HealthCheckPath",
                "port": "HealthCheckPort",
                "protocol": "HealthCheckProtocol",
                "timeout": "HealthCheckTimeoutSeconds",
                "healthyThreshold": "HealthyThresholdCount",
                "unhealthyThreshold": "UnhealthyThresholdCount",
            },
        )
    )
    if check.get("matcher"):
        props["Matcher"] = {"HttpCode": check["matcher"]}
    sticky = i.get("stickiness") or {}
    attrs = attributes(
        {
            "deregistration_delay.timeout_seconds": i.get("deregistrationDelay"),
            "load_balancing.algorithm.type": i.get("loadBalancingAlgorithmType"),
            "stickiness.enabled": sticky.get("enabled"),
            "stickiness.type": sticky.get("type"),
            "stickiness.lb_cookie.duration_seconds": sticky.get("cookieDuration"),
        }
    )
    if attrs:
        props["TargetGroupAttributes"] = attrs
    return {**props, **_tags(i)}


def _actions(actions: list[Props]) -> list[Props]:
    out = []
    for action in actions:
        item: Props = {"Type": action.get("type")}
        item.update(pick(action, {"targetGroupArn": "TargetGroupArn", "order": "Order"}))
        for wire, cfn in (
            ("redirect", "RedirectConfig"),
            ("fixedResponse", "FixedResponseConfig"),
            ("forward", "ForwardConfig"),
        ):
            if action.get(wire):
                item[cfn] = pascal_keys(action[wire])
        out.append(item)
    return out


def _listener(i: Props, _: str) -> Props:
    props = pick(
        i,
        {
            "loadBalancerArn": "LoadBalancerArn",
            "port": "Port",
            "protocol": "Protocol",
            "sslPolicy": "SslPolicy",
        },
    )
    if i.get("certificateArn"):
        props["Certificates"] = [{"CertificateArn": i["certificateArn"]}]
    props["DefaultActions"] = _actions(i.get("defaultActions", []))
    return props


# ``conditions[].pathPattern`` -> ``{"Field": "path-pattern", "PathPatternConfig": ...}``
CONDITION_FIELDS = {
    "pathPattern": ("path-pattern", "PathPatternConfig"),
    "hostHeader": ("host-header", "HostHeaderConfig"),
    "httpHeader": ("http-header", "HttpHeaderConfig"),
    "httpRequestMethod": ("http-request-method", "HttpRequestMethodConfig"),
    "queryStrings": ("query-string", "QueryStringConfig"),
    "sourceIp": ("source-ip", "SourceIpConfig"),
}


REDACTED_REFERENCE = "{{resolve:secretsmanager:redacted-in-plan}}"


def _unredacted(value: object) -> object:
    """A value the plan redacted, as a dynamic reference: the template holds no secret."""
    return REDACTED_REFERENCE if value == "[secret]" else value


def _listener_rule(i: Props, _: str) -> Props:
    conditions = []
    for condition in i.get("conditions", []):
        for wire, (field_name, config) in CONDITION_FIELDS.items():
            if condition.get(wire):
                converted = pascal_keys(condition[wire])
                if "Values" in converted and wire == "httpHeader":
                    converted["Values"] = [_unredacted(v) for v in converted["Values"]]
                conditions.append({"Field": field_name, config: converted})
    return {
        **pick(i, {"listenerArn": "ListenerArn", "priority": "Priority"}),
        "Actions": _actions(i.get("actions", [])),
        "Conditions": conditions,
    }


# --- data -----------------------------------------------------------------------------------


def _db_instance(i: Props, _: str) -> Props:
    props = pick(
        i,
        {
            "identifier": "DBInstanceIdentifier",
            "instanceClass": "DBInstanceClass",
            "engine": "Engine",
            "engineVersion": "EngineVersion",
            "dbName": "DBName",
            "username": "MasterUsername",
            "password": "MasterUserPassword",
            "manageMasterUserPassword": "ManageMasterUserPassword",
            "replicateSourceDb": "SourceDBInstanceIdentifier",
            "dbSubnetGroupName": "DBSubnetGroupName",
            "parameterGroupName": "DBParameterGroupName",
            "vpcSecurityGroupIds": "VPCSecurityGroups",
            "multiAz": "MultiAZ",
            "publiclyAccessible": "PubliclyAccessible",
            "storageEncrypted": "StorageEncrypted",
            "kmsKeyId": "KmsKeyId",
            "storageType": "StorageType",
            "iops": "Iops",
            "storageThroughput": "StorageThroughput",
            "maxAllocatedStorage": "MaxAllocatedStorage",
            "backupRetentionPeriod": "BackupRetentionPeriod",
            "backupWindow": "PreferredBackupWindow",
            "maintenanceWindow": "PreferredMaintenanceWindow",
            "autoMinorVersionUpgrade": "AutoMinorVersionUpgrade",
            "caCertIdentifier": "CACertificateIdentifier",
            "copyTagsToSnapshot": "CopyTagsToSnapshot",
            "deletionProtection": "DeletionProtection",
            "enabledCloudwatchLogsExports": "EnableCloudwatchLogsExports",
            "iamDatabaseAuthenticationEnabled": "EnableIAMDatabaseAuthentication",
            "performanceInsightsEnabled": "EnablePerformanceInsights",
            "performanceInsightsRetentionPeriod": "PerformanceInsightsRetentionPeriod",
            "monitoringInterval": "MonitoringInterval",
            "monitoringRoleArn": "MonitoringRoleArn",
            "port": "Port",
        },
    )
    if i.get("replicateSourceDb"):
        # A replica inherits its source's encryption: the provider does not send
        # storageEncrypted with CreateDBInstanceReadReplica, and CloudFormation refuses it.
        props.pop("StorageEncrypted", None)
    if i.get("allocatedStorage") is not None:
        props["AllocatedStorage"] = str(i["allocatedStorage"])  # a string in CloudFormation
    if props.get("MasterUserPassword") == "[secret]":
        # Redacted in the plan; a dynamic reference keeps the template free of secrets.
        props["MasterUserPassword"] = "{{resolve:secretsmanager:redacted-in-plan}}"
    return {**props, **_tags(i)}


def _db_parameter_group(i: Props, _: str) -> Props:
    return {
        **pick(i, {"name": "DBParameterGroupName", "family": "Family"}),
        "Description": i.get("description") or "Managed by Pulumi",
        "Parameters": {p["name"]: str(p["value"]) for p in i.get("parameters", [])},
        **_tags(i),
    }


def _cache_parameter_group(i: Props, _: str) -> Props:
    # CloudFormation names the group itself (no name property); the Plan's name stays in
    # the resource's Metadata like every other input.
    return {
        "CacheParameterGroupFamily": i.get("family"),
        "Description": i.get("description") or "Managed by Pulumi",
        "Properties": {p["name"]: str(p["value"]) for p in i.get("parameters", [])},
        **_tags(i),
    }


def _db_subnet_group(i: Props, _: str) -> Props:
    return {
        **pick(i, {"name": "DBSubnetGroupName", "subnetIds": "SubnetIds"}),
        "DBSubnetGroupDescription": i.get("description") or "Managed by Pulumi",
        **_tags(i),
    }


def _db_proxy(i: Props, name: str) -> Props:
    auth = [
        pick(
            a,
            {
                "authScheme": "AuthScheme",
                "iamAuth": "IAMAuth",
                "secretArn": "SecretArn",
                "clientPasswordAuthType": "ClientPasswordAuthType",
            },
        )
        for a in i.get("auths", [])
    ]
    props = pick(
        i,
        {
            "engineFamily": "EngineFamily",
            "idleClientTimeout": "IdleClientTimeout",
            "requireTls": "RequireTLS",
            "roleArn": "RoleArn",
            "vpcSecurityGroupIds": "VpcSecurityGroupIds",
            "vpcSubnetIds": "VpcSubnetIds",
            "debugLogging": "DebugLogging",
        },
    )
    return {"DBProxyName": i.get("name") or name, "Auth": auth, **props, **_tags(i)}


def _proxy_target_group(i: Props, _: str) -> Props:
    return {
        "DBProxyName": i.get("dbProxyName"),
        "TargetGroupName": "default",
        "ConnectionPoolConfigurationInfo": pascal_keys(i.get("connectionPoolConfig") or {}),
    }


def _fold_proxy_target(group: Props, i: Props) -> None:
    if i.get("dbInstanceIdentifier"):
        group.setdefault("DBInstanceIdentifiers", []).append(i["dbInstanceIdentifier"])
    if i.get("dbClusterIdentifier"):
        group.setdefault("DBClusterIdentifiers", []).append(i["dbClusterIdentifier"])


def _replication_group(i: Props, _: str) -> Props:
    props = pick(
        i,
        {
            "replicationGroupId": "ReplicationGroupId",
            "description": "ReplicationGroupDescription",
            "engine": "Engine",
            "engineVersion": "EngineVersion",
            "nodeType": "CacheNodeType",
            "numCacheClusters": "NumCacheClusters",
            "numNodeGroups": "NumNodeGroups",
            "replicasPerNodeGroup": "ReplicasPerNodeGroup",
            "port": "Port",
            "parameterGroupName": "CacheParameterGroupName",
            "subnetGroupName": "CacheSubnetGroupName",
            "securityGroupIds": "SecurityGroupIds",
            "automaticFailoverEnabled": "AutomaticFailoverEnabled",
            "multiAzEnabled": "MultiAZEnabled",
            "atRestEncryptionEnabled": "AtRestEncryptionEnabled",
            "transitEncryptionEnabled": "TransitEncryptionEnabled",
            "transitEncryptionMode": "TransitEncryptionMode",
            "kmsKeyId": "KmsKeyId",
            "authToken": "AuthToken",
            "autoMinorVersionUpgrade": "AutoMinorVersionUpgrade",
            "maintenanceWindow": "PreferredMaintenanceWindow",
            "snapshotRetentionLimit": "SnapshotRetentionLimit",
            "snapshotWindow": "SnapshotWindow",
            "notificationTopicArn": "NotificationTopicArn",
        },
    )
    props.setdefault("ReplicationGroupDescription", "Managed by Pulumi")
    if props.get("AuthToken") == "[secret]":
        props["AuthToken"] = "{{resolve:secretsmanager:redacted-in-plan}}"
    return {**props, **_tags(i)}


def _cache_subnet_group(i: Props, _: str) -> Props:
    return {
        **pick(i, {"name": "CacheSubnetGroupName", "subnetIds": "SubnetIds"}),
        "Description": i.get("description") or "Managed by Pulumi",
        **_tags(i),
    }


def _bucket(i: Props, _: str) -> Props:
    return {**pick(i, {"bucket": "BucketName"}), **_tags(i)}


def _fold_versioning(bucket: Props, i: Props) -> None:
    bucket["VersioningConfiguration"] = pascal_keys(i.get("versioningConfiguration") or {})


def _fold_encryption(bucket: Props, i: Props) -> None:
    rules = []
    for rule in i.get("rules", []):
        default = rule.get("applyServerSideEncryptionByDefault") or {}
        item: Props = {
            "ServerSideEncryptionByDefault": pick(
                default, {"sseAlgorithm": "SSEAlgorithm", "kmsMasterKeyId": "KMSMasterKeyID"}
            )
        }
        if rule.get("bucketKeyEnabled") is not None:
            item["BucketKeyEnabled"] = rule["bucketKeyEnabled"]
        rules.append(item)
    bucket["BucketEncryption"] = {"ServerSideEncryptionConfiguration": rules}


def _fold_public_access(bucket: Props, i: Props) -> None:
    bucket["PublicAccessBlockConfiguration"] = pascal_keys(
        {k: v for k, v in i.items() if k != "bucket"}
    )


def _fold_ownership(bucket: Props, i: Props) -> None:
    bucket["OwnershipControls"] = {"Rules": [pascal_keys(i.get("rule") or {})]}


def _fold_logging(bucket: Props, i: Props) -> None:
    bucket["LoggingConfiguration"] = pick(
        i, {"targetBucket": "DestinationBucketName", "targetPrefix": "LogFilePrefix"}
    )


def _topic_policy(i: Props, _: str) -> Props:
    return {"Topics": [i.get("arn")], "PolicyDocument": document(i.get("policy"))}


def _bucket_policy(i: Props, _: str) -> Props:
    return {"Bucket": i.get("bucket"), "PolicyDocument": document(i.get("policy"))}


# --- edge -----------------------------------------------------------------------------------

CACHE_BEHAVIOUR = {
    "allowedMethods": "AllowedMethods",
    "cachedMethods": "CachedMethods",
    "cachePolicyId": "CachePolicyId",
    "originRequestPolicyId": "OriginRequestPolicyId",
    "responseHeadersPolicyId": "ResponseHeadersPolicyId",
    "compress": "Compress",
    "targetOriginId": "TargetOriginId",
    "viewerProtocolPolicy": "ViewerProtocolPolicy",
    "pathPattern": "PathPattern",
    "defaultTtl": "DefaultTTL",
    "maxTtl": "MaxTTL",
    "minTtl": "MinTTL",
}


def _behaviour(b: Props) -> Props:
    out = pick(b, CACHE_BEHAVIOUR)
    if b.get("forwardedValues"):
        fv = b["forwardedValues"]
        out["ForwardedValues"] = {
            "QueryString": bool(fv.get("queryString", False)),
            "Cookies": pascal_keys(fv.get("cookies") or {"forward": "none"}),
            **pick(fv, {"headers": "Headers", "queryStringCacheKeys": "QueryStringCacheKeys"}),
        }
    return out


def _origin(o: Props) -> Props:
    out = pick(
        o,
        {
            "domainName": "DomainName",
            "originId": "Id",
            "originAccessControlId": "OriginAccessControlId",
            "originPath": "OriginPath",
        },
    )
    if o.get("customHeaders"):
        out["OriginCustomHeaders"] = [
            {"HeaderName": h["name"], "HeaderValue": _unredacted(h["value"])}
            for h in o["customHeaders"]
        ]
    custom = o.get("customOriginConfig")
    if custom:
        out["CustomOriginConfig"] = pick(
            custom,
            {
                "httpPort": "HTTPPort",
                "httpsPort": "HTTPSPort",
                "originProtocolPolicy": "OriginProtocolPolicy",
                "originSslProtocols": "OriginSSLProtocols",
                "originKeepaliveTimeout": "OriginKeepaliveTimeout",
                "originReadTimeout": "OriginReadTimeout",
            },
        )
    else:
        # An S3 origin read through OAC: CloudFormation wants an empty identity here.
        out["S3OriginConfig"] = {"OriginAccessIdentity": ""}
    return out


def _distribution(i: Props, _: str) -> Props:
    config = pick(
        i,
        {
            "comment": "Comment",
            "enabled": "Enabled",
            "httpVersion": "HttpVersion",
            "isIpv6Enabled": "IPV6Enabled",
            "priceClass": "PriceClass",
            "aliases": "Aliases",
            "defaultRootObject": "DefaultRootObject",
            "webAclId": "WebACLId",
        },
    )
    config["DefaultCacheBehavior"] = _behaviour(i.get("defaultCacheBehavior") or {})
    if i.get("orderedCacheBehaviors"):
        config["CacheBehaviors"] = [_behaviour(b) for b in i["orderedCacheBehaviors"]]
    config["Origins"] = [_origin(o) for o in i.get("origins", [])]
    geo = (i.get("restrictions") or {}).get("geoRestriction") or {}
    if geo:
        config["Restrictions"] = {"GeoRestriction": pascal_keys(geo)}
    cert = i.get("viewerCertificate") or {}
    if cert:
        config["ViewerCertificate"] = pick(
            cert,
            {
                "cloudfrontDefaultCertificate": "CloudFrontDefaultCertificate",
                "acmCertificateArn": "AcmCertificateArn",
                "minimumProtocolVersion": "MinimumProtocolVersion",
                "sslSupportMethod": "SslSupportMethod",
            },
        )
    logging = i.get("loggingConfig")
    if logging:
        config["Logging"] = pick(
            logging, {"bucket": "Bucket", "includeCookies": "IncludeCookies", "prefix": "Prefix"}
        )
    return {"DistributionConfig": config, **_tags(i)}


def _origin_access_control(i: Props, name: str) -> Props:
    return {
        "OriginAccessControlConfig": {
            "Name": i.get("name") or name,
            **pick(
                i,
                {
                    "description": "Description",
                    "originAccessControlOriginType": "OriginAccessControlOriginType",
                    "signingBehavior": "SigningBehavior",
                    "signingProtocol": "SigningProtocol",
                },
            ),
        }
    }


# --- identity, secrets, keys ----------------------------------------------------------------


def _role(i: Props, _: str) -> Props:
    props = pick(
        i,
        {
            "name": "RoleName",
            "description": "Description",
            "path": "Path",
            "maxSessionDuration": "MaxSessionDuration",
            "managedPolicyArns": "ManagedPolicyArns",
        },
    )
    props["AssumeRolePolicyDocument"] = document(i.get("assumeRolePolicy"))
    return {**props, **_tags(i)}


def _fold_policy_attachment(role: Props, i: Props) -> None:
    role.setdefault("ManagedPolicyArns", []).append(i.get("policyArn"))


def _role_policy(i: Props, name: str) -> Props:
    return {
        "PolicyName": i.get("name") or name,
        "PolicyDocument": document(i.get("policy")),
        "RoleName": i.get("role"),
    }


def _instance_profile(i: Props, _: str) -> Props:
    props = pick(i, {"name": "InstanceProfileName", "path": "Path"})
    props["Roles"] = [i["role"]] if i.get("role") else []
    return props


def _secret(i: Props, _: str) -> Props:
    return {
        **pick(i, {"name": "Name", "description": "Description", "kmsKeyId": "KmsKeyId"}),
        **_tags(i),
    }


def _kms_key(i: Props, _: str) -> Props:
    props = pick(
        i,
        {
            "description": "Description",
            "enableKeyRotation": "EnableKeyRotation",
            "deletionWindowInDays": "PendingWindowInDays",
            "keyUsage": "KeyUsage",
            "customerMasterKeySpec": "KeySpec",
            "multiRegion": "MultiRegion",
        },
    )
    if i.get("policy"):
        props["KeyPolicy"] = document(i["policy"])
    return {**props, **_tags(i)}


def _topic(i: Props, _: str) -> Props:
    return {**pick(i, {"name": "TopicName", "kmsMasterKeyId": "KmsMasterKeyId"}), **_tags(i)}


# --- observability --------------------------------------------------------------------------


def _log_group(i: Props, _: str) -> Props:
    return {
        **pick(
            i,
            {"name": "LogGroupName", "retentionInDays": "RetentionInDays", "kmsKeyId": "KmsKeyId"},
        ),
        **_tags(i),
    }


def _alarm(i: Props, _: str) -> Props:
    props = pick(
        i,
        {
            "name": "AlarmName",
            "alarmDescription": "AlarmDescription",
            "alarmActions": "AlarmActions",
            "okActions": "OKActions",
            "insufficientDataActions": "InsufficientDataActions",
            "comparisonOperator": "ComparisonOperator",
            "evaluationPeriods": "EvaluationPeriods",
            "datapointsToAlarm": "DatapointsToAlarm",
            "metricName": "MetricName",
            "namespace": "Namespace",
            "period": "Period",
            "statistic": "Statistic",
            "extendedStatistic": "ExtendedStatistic",
            "threshold": "Threshold",
            "treatMissingData": "TreatMissingData",
            "unit": "Unit",
            "actionsEnabled": "ActionsEnabled",
        },
    )
    if i.get("dimensions"):
        props["Dimensions"] = [{"Name": k, "Value": v} for k, v in sorted(i["dimensions"].items())]
    if i.get("metricQueries"):  # MetricDataQuery: MetricStat.Metric, Dimensions as a list
        props["Metrics"] = metric_queries(i["metricQueries"])
    return {**props, **_tags(i)}


def metric_queries(queries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    converted = []
    for query in queries:
        item: dict[str, Any] = {"Id": query["id"], "ReturnData": bool(query.get("returnData"))}
        for key, cfn in (("expression", "Expression"), ("label", "Label")):
            if query.get(key):
                item[cfn] = query[key]
        metric = query.get("metric")
        if metric:
            item["MetricStat"] = {
                "Metric": {
                    "Namespace": metric["namespace"],
                    "MetricName": metric["metricName"],
                    "Dimensions": [
                        {"Name": k, "Value": v} for k, v in sorted(metric["dimensions"].items())
                    ],
                },
                "Period": metric["period"],
                "Stat": metric["stat"],
            }
        converted.append(item)
    return converted


def _dashboard(i: Props, _: str) -> Props:
    return pick(i, {"dashboardName": "DashboardName", "dashboardBody": "DashboardBody"})


# --- VPC Lattice ----------------------------------------------------------------------------


def _lattice_named(i: Props, _: str) -> Props:
    return {
        **pick(
            i,
            {
                "name": "Name",
                "authType": "AuthType",
                "certificateArn": "CertificateArn",
                "customDomainName": "CustomDomainName",
            },
        ),
        **_tags(i),
    }


def _lattice_target_group(i: Props, _: str) -> Props:
    config = dict(i.get("config") or {})
    check = config.pop("healthCheck", None)
    cfn_config = pick(
        config,
        {
            "port": "Port",
            "protocol": "Protocol",
            "protocolVersion": "ProtocolVersion",
            "vpcIdentifier": "VpcIdentifier",
            "ipAddressType": "IpAddressType",
        },
    )
    if check:
        cfn_config["HealthCheck"] = pascal_keys(check)
    return {**pick(i, {"name": "Name", "type": "Type"}), "Config": cfn_config, **_tags(i)}


def _lattice_listener(i: Props, _: str) -> Props:
    action = i.get("defaultAction") or {}
    cfn_action: Props = {}
    if action.get("forwards"):
        cfn_action["Forward"] = {
            "TargetGroups": pascal_keys(action["forwards"][0].get("targetGroups", []))
        }
    if action.get("fixedResponse"):
        cfn_action["FixedResponse"] = pascal_keys(action["fixedResponse"])
    return {
        **pick(
            i,
            {
                "name": "Name",
                "port": "Port",
                "protocol": "Protocol",
                "serviceIdentifier": "ServiceIdentifier",
            },
        ),
        "DefaultAction": cfn_action,
        **_tags(i),
    }


def _lattice_service_association(i: Props, _: str) -> Props:
    return {
        **pick(
            i,
            {
                "serviceIdentifier": "ServiceIdentifier",
                "serviceNetworkIdentifier": "ServiceNetworkIdentifier",
            },
        ),
        **_tags(i),
    }


def _lattice_vpc_association(i: Props, _: str) -> Props:
    return {
        **pick(
            i,
            {
                "serviceNetworkIdentifier": "ServiceNetworkIdentifier",
                "vpcIdentifier": "VpcIdentifier",
                "securityGroupIds": "SecurityGroupIds",
            },
        ),
        **_tags(i),
    }


def _lattice_auth_policy(i: Props, _: str) -> Props:
    return {
        "ResourceIdentifier": i.get("resourceIdentifier"),
        "Policy": document(i.get("policy")),
    }


# --- the table ------------------------------------------------------------------------------

_ARN = {"arn": "Arn"}

CFN_TYPES: dict[str, CfnType] = {
    "aws:ec2/vpc:Vpc": CfnType(_vpc, {"id": REF}),
    "aws:ec2/subnet:Subnet": CfnType(_subnet, {"id": REF}),
    "aws:ec2/internetGateway:InternetGateway": CfnType(_only_tags, {"id": REF}),
    "aws:ec2/eip:Eip": CfnType(_eip, {"id": "AllocationId"}),
    "aws:ec2/natGateway:NatGateway": CfnType(_nat, {"id": REF}),
    "aws:ec2/routeTable:RouteTable": CfnType(_tagged_in_vpc, {"id": REF}),
    "aws:ec2/route:Route": CfnType(_route),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": CfnType(_route_association),
    "aws:ec2/securityGroup:SecurityGroup": CfnType(_security_group, {"id": "GroupId"}),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": CfnType(
        _sg_rule("Source"), dropped=("tags",)
    ),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": CfnType(
        _sg_rule("Destination"), dropped=("tags",)
    ),
    "aws:ec2/flowLog:FlowLog": CfnType(_flow_log),
    "aws:ec2/launchTemplate:LaunchTemplate": CfnType(
        _launch_template,
        {
            "id": REF,
            "latestVersion": "LatestVersionNumber",
            "defaultVersion": "DefaultVersionNumber",
        },
        dropped=("updateDefaultVersion",),
    ),
    "aws:autoscaling/group:Group": CfnType(
        _asg,
        {"name": REF, "id": REF},
        # instanceRefresh is CloudFormation's UpdatePolicy, not a property.
        dropped=("instanceRefresh",),
    ),
    "aws:autoscaling/policy:Policy": CfnType(_scaling_policy, {"arn": REF}),
    "aws:autoscaling/lifecycleHook:LifecycleHook": CfnType(_lifecycle_hook, {"name": REF}),
    "aws:lb/loadBalancer:LoadBalancer": CfnType(
        _load_balancer,
        {
            "arn": REF,
            "id": REF,
            "arnSuffix": "LoadBalancerFullName",
            "dnsName": "DNSName",
            "zoneId": "CanonicalHostedZoneID",
        },
    ),
    "aws:lb/targetGroup:TargetGroup": CfnType(
        _target_group,
        {"arn": REF, "id": REF, "arnSuffix": "TargetGroupFullName"},
    ),
    "aws:lb/listener:Listener": CfnType(_listener, {"arn": REF, "id": REF}, ("tags",)),
    "aws:lb/listenerRule:ListenerRule": CfnType(_listener_rule, {"arn": REF}, ("tags",)),
    "aws:rds/instance:Instance": CfnType(
        _db_instance,
        {
            "id": REF,
            "identifier": REF,
            "address": "Endpoint.Address",
            "arn": "DBInstanceArn",
            "resourceId": "DbiResourceId",
        },
        # CloudFormation's DeletionPolicy: Snapshot plays finalSnapshotIdentifier's part.
        dropped=("applyImmediately", "skipFinalSnapshot", "finalSnapshotIdentifier"),
    ),
    "aws:rds/parameterGroup:ParameterGroup": CfnType(_db_parameter_group, {"id": REF, "name": REF}),
    "aws:rds/subnetGroup:SubnetGroup": CfnType(_db_subnet_group, {"id": REF, "name": REF}),
    "aws:rds/proxy:Proxy": CfnType(
        _db_proxy,
        {"id": REF, "name": REF, "arn": "DBProxyArn", "endpoint": "Endpoint"},
    ),
    "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup": CfnType(
        _proxy_target_group, {"arn": "TargetGroupArn"}
    ),
    "aws:elasticache/parameterGroup:ParameterGroup": CfnType(
        _cache_parameter_group,
        {"id": REF, "name": REF},
        dropped=("name",),
    ),
    "aws:elasticache/replicationGroup:ReplicationGroup": CfnType(
        _replication_group,
        {
            "id": REF,
            "primaryEndpointAddress": "PrimaryEndPoint.Address",
            "readerEndpointAddress": "ReaderEndPoint.Address",
        },
        dropped=("applyImmediately", "authTokenUpdateStrategy"),
    ),
    "aws:elasticache/subnetGroup:SubnetGroup": CfnType(
        _cache_subnet_group, {"id": REF, "name": REF}
    ),
    "aws:s3/bucket:Bucket": CfnType(
        _bucket,
        {"id": REF, "bucket": REF, **_ARN, "bucketRegionalDomainName": "RegionalDomainName"},
        dropped=("forceDestroy",),
    ),
    "aws:s3/bucketPolicy:BucketPolicy": CfnType(_bucket_policy),
    "aws:sns/topicPolicy:TopicPolicy": CfnType(_topic_policy),
    "aws:cloudfront/distribution:Distribution": CfnType(
        _distribution,
        {
            "id": REF,
            "domainName": "DomainName",
            "arn": SUB + "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${Self}",
        },
    ),
    "aws:cloudfront/originAccessControl:OriginAccessControl": CfnType(
        _origin_access_control, {"id": "Id"}
    ),
    "aws:iam/role:Role": CfnType(_role, {"id": REF, "name": REF, **_ARN, "uniqueId": "RoleId"}),
    "aws:iam/rolePolicy:RolePolicy": CfnType(_role_policy),
    "aws:iam/instanceProfile:InstanceProfile": CfnType(
        _instance_profile,
        {"id": REF, "name": REF, **_ARN},
        dropped=("tags",),  # CloudFormation's instance profile takes no tags
    ),
    "aws:secretsmanager/secret:Secret": CfnType(
        _secret,
        {"id": REF, "arn": REF},
        # Secrets Manager's ForceDeleteWithoutRecovery/RecoveryWindowInDays are API-only.
        dropped=("recoveryWindowInDays",),
    ),
    "aws:kms/key:Key": CfnType(_kms_key, {"id": REF, "keyId": "KeyId", **_ARN}),
    "aws:sns/topic:Topic": CfnType(_topic, {"arn": REF, "id": REF, "name": "TopicName"}),
    "aws:cloudwatch/logGroup:LogGroup": CfnType(_log_group, {"id": REF, "name": REF, **_ARN}),
    "aws:cloudwatch/metricAlarm:MetricAlarm": CfnType(_alarm, {"id": REF, "name": REF, **_ARN}),
    "aws:cloudwatch/dashboard:Dashboard": CfnType(_dashboard, {"id": REF}),
    "aws:vpclattice/serviceNetwork:ServiceNetwork": CfnType(_lattice_named, {"id": "Id", **_ARN}),
    "aws:vpclattice/service:Service": CfnType(_lattice_named, {"id": "Id", **_ARN}),
    "aws:vpclattice/targetGroup:TargetGroup": CfnType(_lattice_target_group, {"id": "Id", **_ARN}),
    "aws:vpclattice/listener:Listener": CfnType(_lattice_listener, {"id": "Id", **_ARN}),
    "aws:vpclattice/serviceNetworkServiceAssociation:ServiceNetworkServiceAssociation": CfnType(
        _lattice_service_association,
        {"id": "Id", **_ARN},
    ),
    "aws:vpclattice/serviceNetworkVpcAssociation:ServiceNetworkVpcAssociation": CfnType(
        _lattice_vpc_association,
        {"id": "Id", **_ARN},
    ),
    "aws:vpclattice/authPolicy:AuthPolicy": CfnType(_lattice_auth_policy),
}

FOLDS: dict[str, Fold] = {
    "aws:s3/bucketVersioning:BucketVersioning": Fold("aws:s3/bucket:Bucket", _fold_versioning),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": Fold(
        "aws:s3/bucket:Bucket", _fold_encryption
    ),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": Fold(
        "aws:s3/bucket:Bucket", _fold_public_access
    ),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": Fold(
        "aws:s3/bucket:Bucket", _fold_ownership
    ),
    "aws:s3/bucketLogging:BucketLogging": Fold("aws:s3/bucket:Bucket", _fold_logging),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": Fold(
        "aws:iam/role:Role", _fold_policy_attachment
    ),
    "aws:rds/proxyTarget:ProxyTarget": Fold(
        "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup", _fold_proxy_target
    ),
    "aws:autoscaling/trafficSourceAttachment:TrafficSourceAttachment": Fold(
        "aws:autoscaling/group:Group", _fold_traffic_source
    ),
}

# CloudFormation has nothing like these: the catalogue says why (its cloudformation_note).
NO_EQUIVALENT: dict[str, str] = {
    token: entry.cloudformation_note
    for token, entry in CATALOGUE.items()
    if entry.cloudformation is None and token not in FOLDS and token not in CFN_TYPES
}


def cloudformation_type(token: str) -> str:
    """The CloudFormation type of a translated Pulumi type, from the type catalogue."""
    entry = facts(token)
    if entry is None or entry.cloudformation is None:
        raise KeyError(f"{token} has no CloudFormation type in infra/plan/types")
    return entry.cloudformation


def _check_against_catalogue() -> None:
    """A translation for a type the catalogue renders otherwise is a programming error."""
    for token in CFN_TYPES:
        cloudformation_type(token)
    for token in FOLDS:
        entry = facts(token)
        if entry is None or entry.cloudformation is not None:
            raise RuntimeError(f"{token} is folded but the catalogue gives it a resource")


_check_against_catalogue()

# A dependency of the internet gateway on its VPC is an attachment in CloudFormation.
IGW_TYPE = "aws:ec2/internetGateway:InternetGateway"
