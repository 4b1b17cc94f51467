"""Recording mocks: the thin seam that replaces the Pulumi engine for offline plans.

``PlanMocks`` answers resource registrations and invokes with deterministic, plausible
outputs (ids, ARNs, endpoints), so every ``apply`` in the program runs. The monitor
subclass keeps what ``MockResourceArgs`` drops (parent, protect, dependencies, secrets:
pulumi/pulumi#14421).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from pulumi.runtime import MockCallArgs, MockResourceArgs, Mocks, rpc
from pulumi.runtime.mocks import MockMonitor

ACCOUNT = "123456789012"
MOCK_AMI = "ami-0a1b2c3d4e5f67890"
MOCK_SECRET_PREFIX = "mock-secret-"


def _digest(text: str, size: int = 8) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:size]


@dataclass
class Registration:
    """What the engine would have known about one registered resource."""

    urn: str
    type: str
    name: str
    custom: bool
    parent: str
    protect: bool
    dependencies: list[str]
    inputs: dict[str, Any]


class PlanMocks(Mocks):
    """Deterministic outputs for every resource type and invoke the program uses."""

    def __init__(self, region: str):
        self.region = region
        self.minted_secrets: set[str] = set()

    def call(self, args: MockCallArgs) -> dict[str, Any]:  # type: ignore[override]
        token = args.token
        if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            names = [f"{self.region}{suffix}" for suffix in "abcdef"]
            return {
                "id": self.region,
                "names": names,
                "zoneIds": [f"use1-az{i}" for i in range(1, 7)],
                "state": "available",
            }
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "id": ACCOUNT,
                "accountId": ACCOUNT,
                "arn": f"arn:aws:iam::{ACCOUNT}:user/plan",
                "userId": "AIDAPLANPLANPLANPLAN",
            }
        if token == "aws:ssm/getParameter:getParameter":
            return {
                "id": args.args.get("name", ""),
                "name": args.args.get("name", ""),
                "type": "String",
                "value": MOCK_AMI,
                "insecureValue": MOCK_AMI,
                "version": 1,
                "arn": f"arn:aws:ssm:{self.region}::parameter{args.args.get('name', '')}",
            }
        if token == "aws:ec2/getManagedPrefixList:getManagedPrefixList":
            name = str(args.args.get("name", ""))
            return {"id": f"pl-{_digest(name, 17)}", "name": name, "entries": []}
        return {}

    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        inputs = _unwrap(args.inputs)
        outputs = dict(inputs)
        outputs.update(self._computed(args.typ, args.name, inputs))
        return str(outputs.get("id") or f"{args.name}-id"), outputs

    def _computed(self, typ: str, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
        """The outputs a real provider would compute, shaped like the real ones."""
        region = self.region
        module = typ.split(":")[1].split("/")[0] if ":" in typ else "unknown"
        physical = str(inputs.get("name") or name)
        out: dict[str, Any] = {
            "arn": f"arn:aws:{module}:{region}:{ACCOUNT}:{physical}",
            "name": physical,
            "tagsAll": inputs.get("tags", {}),
        }
        if typ == "aws:s3/bucket:Bucket":
            bucket = str(inputs.get("bucket") or f"{name}-{_digest(name)}")
            out.update(
                id=bucket,
                bucket=bucket,
                arn=f"arn:aws:s3:::{bucket}",
                bucketRegionalDomainName=f"{bucket}.s3.{region}.amazonaws.com",
            )
        elif typ == "aws:rds/instance:Instance":
            identifier = str(inputs.get("identifier") or name)
            address = f"{identifier}.c{_digest('rds', 11)}.{region}.rds.amazonaws.com"
            out.update(
                id=identifier,
                identifier=identifier,
                address=address,
                endpoint=f"{address}:3306",
                port=3306,
                arn=f"arn:aws:rds:{region}:{ACCOUNT}:db:{identifier}",
                resourceId=f"db-{_digest(identifier, 26).upper()}",
            )
            if inputs.get("manageMasterUserPassword"):
                out["masterUserSecrets"] = [
                    {
                        "secretArn": (
                            f"arn:aws:secretsmanager:{region}:{ACCOUNT}:secret:rds!{identifier}"
                        ),
                        "secretStatus": "active",
                        "kmsKeyId": f"arn:aws:kms:{region}:{ACCOUNT}:alias/aws/secretsmanager",
                    }
                ]
        elif typ == "aws:rds/proxy:Proxy":
            out["endpoint"] = f"{physical}.proxy-c{_digest('rds', 11)}.{region}.rds.amazonaws.com"
        elif typ == "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup":
            out["name"] = "default"
        elif typ == "aws:elasticache/replicationGroup:ReplicationGroup":
            group = str(inputs.get("replicationGroupId") or name)
            out.update(
                id=group,
                primaryEndpointAddress=f"master.{group}.{_digest(group, 6)}.cache.amazonaws.com",
                readerEndpointAddress=f"replica.{group}.{_digest(group, 6)}.cache.amazonaws.com",
                memberClusters=[
                    f"{group}-{i:03d}" for i in range(1, int(inputs.get("numCacheClusters", 1)) + 1)
                ],
            )
        elif typ == "aws:lb/loadBalancer:LoadBalancer":
            suffix = f"app/{physical[:32]}/{_digest(name, 16)}"
            out.update(
                dnsName=f"{physical[:32]}-{_digest(name, 9)}.{region}.elb.amazonaws.com",
                arnSuffix=suffix,
                arn=f"arn:aws:elasticloadbalancing:{region}:{ACCOUNT}:loadbalancer/{suffix}",
                zoneId="Z35SXDOTRQ7X7K",
            )
        elif typ == "aws:lb/targetGroup:TargetGroup":
            suffix = f"targetgroup/{physical[:32]}/{_digest(name, 16)}"
            out.update(
                arnSuffix=suffix,
                arn=f"arn:aws:elasticloadbalancing:{region}:{ACCOUNT}:{suffix}",
            )
        elif typ == "aws:ec2/launchTemplate:LaunchTemplate":
            out.update(id=f"lt-{_digest(name, 17)}", latestVersion=1, defaultVersion=1)
        elif typ == "aws:cloudfront/distribution:Distribution":
            dist = f"E{_digest(name, 13).upper()}"
            out.update(
                id=dist,
                domainName=f"d{_digest(name, 13)}.cloudfront.net",
                arn=f"arn:aws:cloudfront::{ACCOUNT}:distribution/{dist}",
                status="Deployed",
                hostedZoneId="Z2FDTNDATAQYW2",
            )
        elif typ == "random:index/randomPassword:RandomPassword":
            secret = f"{MOCK_SECRET_PREFIX}{_digest(name, 24)}"
            self.minted_secrets.add(secret)
            out.update(result=secret, bcryptHash=f"$2a$10${_digest(secret, 53)}")
        elif typ == "aws:secretsmanager/secret:Secret":
            out["arn"] = (
                f"arn:aws:secretsmanager:{region}:{ACCOUNT}:secret:{name}-{_digest(name, 6)}"
            )
        elif typ == "aws:iam/role:Role":
            out["arn"] = f"arn:aws:iam::{ACCOUNT}:role/{physical}"
        elif typ == "aws:iam/instanceProfile:InstanceProfile":
            out["arn"] = f"arn:aws:iam::{ACCOUNT}:instance-profile/{physical}"
        elif typ == "aws:cloudwatch/logGroup:LogGroup":
            out["arn"] = f"arn:aws:logs:{region}:{ACCOUNT}:log-group:{physical}"
        elif typ == "aws:kms/key:Key":
            key_id = f"{_digest(name, 8)}-{_digest(name + 'a', 4)}-{_digest(name + 'b', 4)}"
            out.update(id=key_id, keyId=key_id, arn=f"arn:aws:kms:{region}:{ACCOUNT}:key/{key_id}")
        elif typ == "aws:sns/topic:Topic":
            out["arn"] = f"arn:aws:sns:{region}:{ACCOUNT}:{physical}"
        elif typ == "aws:autoscaling/group:Group":  # shaped like AWS's (IAM resources)
            out["arn"] = (
                f"arn:aws:autoscaling:{region}:{ACCOUNT}:autoScalingGroup:"
                f"{_digest(name, 8)}-{_digest(name + 'a', 4)}-{_digest(name + 'b', 4)}-"
                f"{_digest(name + 'c', 4)}-{_digest(name + 'd', 12)}:"
                f"autoScalingGroupName/{physical}"
            )
        elif typ == "aws:vpclattice/service:Service":  # ARN and generated name like AWS's
            out["arn"] = f"arn:aws:vpc-lattice:{region}:{ACCOUNT}:service/svc-{_digest(name, 17)}"
            out["dnsEntries"] = [
                {
                    "domainName": f"svc-{_digest(name, 17)}.{_digest(name + 'dns', 7)}"
                    f".vpc-lattice-svcs.{region}.on.aws",
                    "hostedZoneId": "Z0123456789ABCDEFGHIJ",
                }
            ]
        elif typ.startswith("aws:vpclattice/"):
            out["arn"] = f"arn:aws:vpc-lattice:{region}:{ACCOUNT}:{module}/{physical}"
        return out


class RecordingMonitor(MockMonitor):
    """The mock monitor, keeping each registration's parent, protect, deps and secrets."""

    def __init__(self, mocks: PlanMocks):
        super().__init__(mocks)
        self.registrations: list[Registration] = []

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            self.registrations.append(
                Registration(
                    urn=response.urn,
                    type=request.type,
                    name=request.name,
                    custom=bool(request.custom),
                    parent=request.parent,
                    protect=bool(request.protect),
                    dependencies=sorted(set(request.dependencies)),
                    inputs=rpc.deserialize_properties(request.object),
                )
            )
        return response


def _unwrap(value: Any) -> Any:
    """Inputs as plain values (secrets unwrapped) for the mock's returned state."""
    if rpc.is_rpc_secret(value):
        return _unwrap(rpc.unwrap_rpc_secret(value))
    if isinstance(value, dict):
        return {k: _unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    return value


def fake_outputs(region: str, typ: str, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """The outputs the plan's mocks give one resource (its id under ``"id"``).

    Other resources' plan inputs hold these values where they reference this one; the local
    engine maps them to the emulator's real values.
    """
    outputs = dict(inputs)
    outputs.update(PlanMocks(region)._computed(typ, name, inputs))
    outputs["id"] = str(outputs.get("id") or f"{name}-id")
    return outputs
