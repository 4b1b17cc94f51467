"""One pricing function per billable resource type: a CostLine, or Unpriced with a reason."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from infra.cost.model import CostLine, Unpriced
from infra.cost.tables import PriceTable, Usage
from infra.plan.inputs import as_bool, as_int, as_list, lookup
from infra.plan.model import PlannedResource
from infra.plan.types import tokens as t
from infra.plan.types.tokens import LAUNCH_TEMPLATE, PROXY_TARGET, RDS_INSTANCE


@dataclass(frozen=True)
class PricingContext:
    prices: PriceTable
    usage: Usage
    resources: dict[str, PlannedResource]

    def count(self, type_token: str) -> int:
        return sum(1 for r in self.resources.values() if r.type == type_token)

    def dependency(self, resource: PlannedResource, type_token: str) -> PlannedResource | None:
        for urn in resource.dependencies:
            other = self.resources.get(urn)
            if other is not None and other.type == type_token:
                return other
        return None


Result = CostLine | Unpriced
Pricer = Callable[[PlannedResource, PricingContext], Result]


def _line(r: PlannedResource, fixed: float, usage: float = 0.0, detail: str = "") -> CostLine:
    return CostLine(r.urn, r.type, r.name, fixed, usage, detail)


def _unpriced(r: PlannedResource, reason: str) -> Unpriced:
    return Unpriced(r.urn, r.type, r.name, reason)


def autoscaling_group(r: PlannedResource, ctx: PricingContext) -> Result:
    """Desired capacity x instance-hours, plus the EBS volumes each instance carries."""
    template = ctx.dependency(r, LAUNCH_TEMPLATE)
    overrides = as_list(lookup(r.inputs, "mixedInstancesPolicy.launchTemplate.overrides"))
    instance_type = (overrides[0].get("instanceType") if overrides else None) or (
        template.inputs.get("instanceType") if template else None
    )
    if not instance_type:
        return _unpriced(r, "no instance type found (launch template not in the plan's deps)")
    hourly = ctx.prices.find("ec2_instance_hour", str(instance_type))
    if hourly is None:
        return _unpriced(r, f"no price for EC2 {instance_type} in prices.yaml")
    count = as_int(r.inputs.get("desiredCapacity"), as_int(r.inputs.get("minSize"), 1))
    fixed = count * hourly * ctx.prices.hours
    detail = f"{count} x {instance_type}"
    volumes = as_list(template.inputs.get("blockDeviceMappings")) if template else []
    for volume in volumes:
        ebs = volume.get("ebs") or {} if isinstance(volume, dict) else {}
        gb = as_int(ebs.get("volumeSize"))
        rate = ctx.prices.find("ebs_gb_month", str(ebs.get("volumeType", "gp3")))
        if gb and rate is not None:
            fixed += count * gb * rate
            detail += f" + {gb} GB {ebs.get('volumeType', 'gp3')} each"
    if lookup(r.inputs, "mixedInstancesPolicy.instancesDistribution") is not None:
        detail += " (spot share priced at on-demand: an upper bound)"
    return _line(r, fixed, detail=detail)


def rds_instance(r: PlannedResource, ctx: PricingContext) -> Result:
    """Instance-hours (Multi-AZ doubles them) plus allocated storage."""
    klass = str(r.inputs.get("instanceClass", ""))
    hourly = ctx.prices.find("rds_instance_hour", klass)
    if hourly is None:
        return _unpriced(r, f"no price for RDS {klass or '(no instanceClass)'} in prices.yaml")
    multi_az = as_bool(r.inputs.get("multiAz"))
    factor = ctx.prices.rate("rds_multi_az_factor") if multi_az else 1.0
    storage_from = r
    if r.inputs.get("replicateSourceDb") and not r.inputs.get("allocatedStorage"):
        storage_from = ctx.dependency(r, RDS_INSTANCE) or r  # a replica mirrors its source
    gb = as_int(storage_from.inputs.get("allocatedStorage"))
    storage_type = str(
        r.inputs.get("storageType") or storage_from.inputs.get("storageType") or "gp2"
    )
    storage_rate = ctx.prices.find("rds_storage_gb_month", storage_type)
    if storage_rate is None:
        return _unpriced(r, f"no price for RDS {storage_type} storage in prices.yaml")
    fixed = hourly * factor * ctx.prices.hours + gb * storage_rate * factor
    az = "Multi-AZ" if multi_az else "Single-AZ"
    return _line(r, fixed, detail=f"{klass} {az}, {gb} GB {storage_type}")


def rds_proxy(r: PlannedResource, ctx: PricingContext) -> Result:
    """Billed per vCPU-hour of the instances it fronts (minimum two vCPUs)."""
    vcpus = 0
    for target in ctx.resources.values():
        if target.type != PROXY_TARGET or r.urn not in target.dependencies:
            continue
        db = ctx.dependency(target, RDS_INSTANCE)
        klass = str(db.inputs.get("instanceClass", "")) if db else ""
        count = ctx.prices.find("rds_instance_vcpus", klass)
        if count is None:
            return _unpriced(r, f"no vCPU count for {klass or 'its target'} in prices.yaml")
        vcpus += int(count)
    vcpus = max(vcpus, int(ctx.prices.rate("rds_proxy_min_vcpus")))
    fixed = vcpus * ctx.prices.rate("rds_proxy_vcpu_hour") * ctx.prices.hours
    return _line(r, fixed, detail=f"{vcpus} vCPUs behind it")


def cache_replication_group(r: PlannedResource, ctx: PricingContext) -> Result:
    node_type = str(r.inputs.get("nodeType", ""))
    hourly = ctx.prices.find("elasticache_node_hour", node_type)
    if hourly is None:
        return _unpriced(r, f"no price for ElastiCache {node_type or '(no nodeType)'}")
    if r.inputs.get("numNodeGroups"):
        nodes = as_int(r.inputs["numNodeGroups"]) * (
            as_int(r.inputs.get("replicasPerNodeGroup")) + 1
        )
    else:
        nodes = as_int(r.inputs.get("numCacheClusters"), 1)
    return _line(r, nodes * hourly * ctx.prices.hours, detail=f"{nodes} x {node_type}")


def load_balancer(r: PlannedResource, ctx: PricingContext) -> Result:
    """ALB hours plus LCUs: the largest of the four dimensions, from usage."""
    if r.inputs.get("loadBalancerType", "application") != "application":
        return _unpriced(r, f"{r.inputs.get('loadBalancerType')} load balancers are not priced")
    per_lcu = ctx.prices.data["alb_lcu"]
    dimensions = {key: ctx.usage.get("alb", key) / float(per_lcu[key]) for key in per_lcu}
    lcus = max(dimensions.values(), default=0.0)
    driver = max(dimensions, key=lambda key: dimensions[key]) if lcus else "none"
    fixed = ctx.prices.rate("alb_hour") * ctx.prices.hours
    usage = lcus * ctx.prices.rate("alb_lcu_hour") * ctx.prices.hours
    return _line(r, fixed, usage, f"{lcus:.1f} LCU (driven by {driver})")


def nat_gateway(r: PlannedResource, ctx: PricingContext) -> Result:
    """Gateway-hours; the usage's processed bytes are shared evenly across gateways."""
    gb = ctx.usage.get("nat", "gb_processed_per_month") / max(ctx.count(r.type), 1)
    fixed = ctx.prices.rate("nat_gateway_hour") * ctx.prices.hours
    return _line(r, fixed, gb * ctx.prices.rate("nat_gateway_gb"), f"{gb:.0f} GB processed")


def elastic_ip(r: PlannedResource, ctx: PricingContext) -> Result:
    return _line(r, ctx.prices.rate("public_ipv4_hour") * ctx.prices.hours, detail="public IPv4")


def cloudfront(r: PlannedResource, ctx: PricingContext) -> Result:
    gb = ctx.usage.get("cloudfront", "gb_out_per_month")
    requests = ctx.usage.get("cloudfront", "requests_per_month")
    usage = gb * ctx.prices.rate("cloudfront_gb_out")
    usage += requests / 10_000 * ctx.prices.rate("cloudfront_https_per_10k")
    return _line(r, 0.0, usage, f"{gb:.0f} GB out, {requests / 1e6:.0f}M HTTPS requests")


def s3_bucket(r: PlannedResource, ctx: PricingContext) -> Result:
    """Storage and requests from usage, shared evenly across the plan's buckets."""
    share = 1 / max(ctx.count(r.type), 1)
    gb = ctx.usage.get("s3", "gb_stored") * share
    puts = ctx.usage.get("s3", "put_requests_per_month") * share
    gets = ctx.usage.get("s3", "get_requests_per_month") * share
    usage = gb * ctx.prices.rate("s3_standard_gb_month")
    usage += puts / 1000 * ctx.prices.rate("s3_put_per_1k")
    usage += gets / 1000 * ctx.prices.rate("s3_get_per_1k")
    return _line(r, 0.0, usage, f"{gb:.0f} GB standard")


def lattice_service(r: PlannedResource, ctx: PricingContext) -> Result:
    share = 1 / max(ctx.count(r.type), 1)
    gb = ctx.usage.get("lattice", "gb_per_month") * share
    requests = ctx.usage.get("lattice", "requests_per_month") * share
    usage = gb * ctx.prices.rate("vpc_lattice_gb")
    usage += requests / 1e6 * ctx.prices.rate("vpc_lattice_per_million_requests")
    fixed = ctx.prices.rate("vpc_lattice_service_hour") * ctx.prices.hours
    return _line(r, fixed, usage, f"{gb:.0f} GB, {requests / 1e6:.0f}M requests")


def alarm(r: PlannedResource, ctx: PricingContext) -> Result:
    return _line(r, ctx.prices.rate("cloudwatch_alarm_month"), detail="standard alarm")


def dashboard(r: PlannedResource, ctx: PricingContext) -> Result:
    return _line(r, ctx.prices.rate("cloudwatch_dashboard_month"), detail="dashboard")


def secret(r: PlannedResource, ctx: PricingContext) -> Result:
    return _line(r, ctx.prices.rate("secretsmanager_secret_month"), detail="secret")


def log_group(r: PlannedResource, ctx: PricingContext) -> Result:
    """Ingestion plus storage of the retained month (flow logs are the only log group)."""
    gb = ctx.usage.get("flow_logs", "gb_per_month")
    rate = ctx.prices.rate("cloudwatch_logs_ingested_gb") + ctx.prices.rate(
        "cloudwatch_logs_stored_gb_month"
    )
    return _line(r, 0.0, gb * rate, f"{gb:.0f} GB of flow logs a month")


def kms_key(r: PlannedResource, ctx: PricingContext) -> Result:
    return _line(r, ctx.prices.rate("kms_key_month"), detail="customer-managed KMS key")


# One function per type the catalogue (infra/plan/types) marks "priced".
PRICERS: dict[str, Pricer] = {
    t.AUTOSCALING_GROUP: autoscaling_group,
    RDS_INSTANCE: rds_instance,
    t.RDS_PROXY: rds_proxy,
    t.REPLICATION_GROUP: cache_replication_group,
    t.LOAD_BALANCER: load_balancer,
    t.NAT_GATEWAY: nat_gateway,
    t.EIP: elastic_ip,
    t.DISTRIBUTION: cloudfront,
    t.BUCKET: s3_bucket,
    t.LATTICE_SERVICE: lattice_service,
    t.METRIC_ALARM: alarm,
    "aws:cloudwatch/dashboard:Dashboard": dashboard,
    "aws:secretsmanager/secret:Secret": secret,
    "aws:kms/key:Key": kms_key,
    "aws:cloudwatch/logGroup:LogGroup": log_group,
}
