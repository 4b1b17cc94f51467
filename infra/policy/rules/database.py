"""RDS and ElastiCache: encryption, exposure, backups, deletion protection, auth."""

from __future__ import annotations

from infra.plan.model import PlannedResource
from infra.plan.types.tokens import RDS_INSTANCE, REPLICATION_GROUP
from infra.policy.context import PlanIndex
from infra.policy.inputs import as_int, is_true
from infra.policy.model import Rule

MIN_BACKUP_DAYS = 7


def _source_of(replica: PlannedResource, index: PlanIndex) -> PlannedResource | None:
    for urn in replica.dependencies:
        other = index.resources.get(urn)
        if other is not None and other.type == RDS_INSTANCE:
            return other
    return None


def rds_encrypted(db: PlannedResource, index: PlanIndex) -> str | None:
    if is_true(db.inputs.get("storageEncrypted")):
        return None
    if db.inputs.get("replicateSourceDb") and db.inputs.get("storageEncrypted") is None:
        source = _source_of(db, index)  # a same-region replica inherits its source's encryption
        if source is not None and is_true(source.inputs.get("storageEncrypted")):
            return None
    return "storageEncrypted is not true: the database is stored unencrypted"


def rds_not_public(db: PlannedResource, index: PlanIndex) -> str | None:
    if is_true(db.inputs.get("publiclyAccessible")):
        return "publiclyAccessible is true: the database gets a public endpoint"
    return None


def rds_backups(db: PlannedResource, index: PlanIndex) -> str | None:
    if db.inputs.get("replicateSourceDb"):
        return None  # a read replica's source holds the backups
    days = as_int(db.inputs.get("backupRetentionPeriod"), default=0)
    if days < MIN_BACKUP_DAYS:
        return f"backupRetentionPeriod is {days} days; keep at least {MIN_BACKUP_DAYS}"
    return None


def rds_deletion_protection(db: PlannedResource, index: PlanIndex) -> str | None:
    if is_true(db.inputs.get("deletionProtection")):
        return None
    return "deletionProtection is not true: one API call deletes the database"


def cache_at_rest(group: PlannedResource, index: PlanIndex) -> str | None:
    if is_true(group.inputs.get("atRestEncryptionEnabled")):
        return None
    return "atRestEncryptionEnabled is not true"


def cache_in_transit(group: PlannedResource, index: PlanIndex) -> str | None:
    if is_true(group.inputs.get("transitEncryptionEnabled")):
        return None
    return "transitEncryptionEnabled is not true: Redis traffic is plain text"


def cache_auth_token(group: PlannedResource, index: PlanIndex) -> str | None:
    if group.inputs.get("authToken") or group.inputs.get("userGroupIds"):
        return None
    return "no authToken (or RBAC userGroupIds): any client in the network can run commands"


RULES: tuple[Rule, ...] = (
    Rule(
        "GM-RDS-1",
        "RDS storage is encrypted",
        (RDS_INSTANCE,),
        rds_encrypted,
        checkov=("CKV_AWS_16",),
        cdk_nag=("AwsSolutions-RDS2",),
    ),
    Rule(
        "GM-RDS-2",
        "RDS is not publicly accessible",
        (RDS_INSTANCE,),
        rds_not_public,
        checkov=("CKV_AWS_17",),
        cdk_nag=("NIST.800.53.R5-RDSInstancePublicAccess",),
    ),
    Rule(
        "GM-RDS-3",
        f"RDS keeps backups {MIN_BACKUP_DAYS} days or more",
        (RDS_INSTANCE,),
        rds_backups,
        checkov=("CKV_AWS_133",),
        cdk_nag=("AwsSolutions-RDS13",),
    ),
    Rule(
        "GM-RDS-4",
        "RDS has deletion protection",
        (RDS_INSTANCE,),
        rds_deletion_protection,
        checkov=("CKV_AWS_293",),
        cdk_nag=("AwsSolutions-RDS10",),
    ),
    Rule(
        "GM-EC-1",
        "ElastiCache encrypts at rest",
        (REPLICATION_GROUP,),
        cache_at_rest,
        checkov=("CKV_AWS_29",),
        cdk_nag=("AwsSolutions-AEC3",),
    ),
    Rule(
        "GM-EC-2",
        "ElastiCache encrypts in transit",
        (REPLICATION_GROUP,),
        cache_in_transit,
        checkov=("CKV_AWS_30",),
        cdk_nag=("AwsSolutions-AEC3",),
    ),
    Rule(
        "GM-EC-3",
        "ElastiCache requires an auth token",
        (REPLICATION_GROUP,),
        cache_auth_token,
        checkov=("CKV_AWS_31",),
        cdk_nag=("AwsSolutions-AEC6",),
    ),
)
