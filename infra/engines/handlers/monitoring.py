"""CloudWatch alarms and dashboard, the alarm topic (SNS) and its KMS key."""

from __future__ import annotations

from typing import Any

from infra.engines.handlers.base import Applied, Context, Handler, same_again, tag_list
from infra.plan.inputs import integer
from infra.plan.model import PlannedResource


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


def _topic_policy(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    ctx.client("sns").set_topic_attributes(
        TopicArn=inputs["arn"], AttributeName="Policy", AttributeValue=inputs["policy"]
    )
    return Applied(id=inputs["arn"], outputs={"arn": inputs["arn"]})


HANDLERS: dict[str, Handler] = {
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
    # Deleting the policy leaves the topic on SNS's default one (the topic goes with it).
    "aws:sns/topicPolicy:TopicPolicy": Handler(
        create=_topic_policy, update=same_again(_topic_policy), delete=lambda ctx, old: None
    ),
}
