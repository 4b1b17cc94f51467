"""RDS: encryption, exposure, backups, deletion protection."""

from __future__ import annotations

from infra.plan.inputs import as_bool, as_int
from infra.plan.model import PlannedResource
from infra.plan.types.tokens import RDS_INSTANCE
from infra.policy.context import PlanIndex
from infra.policy.model import Rule

MIN_BACKUP_DAYS = 7


def _source_of(replica: PlannedResource, index: PlanIndex) -> PlannedResource | None:
    for urn in replica.dependencies:
        other = index.resources.get(urn)
        if other is not None and other.type == RDS_INSTANCE:
            return other
    return None


def rds_encrypted(db: PlannedResource, index: PlanIndex) -> str | None:
    if as_bool(db.inputs.get("storageEncrypted")):
        return None
    if db.inputs.get("replicateSourceDb") and db.inputs.get("storageEncrypted") is None:
        source = _source_of(db, index)  # a same-region replica inherits its source's encryption
        if source is not None and as_bool(source.inputs.get("storageEncrypted")):
            return None
    return "storageEncrypted is not true: the database is stored unencrypted"


def rds_not_public(db: PlannedResource, index: PlanIndex) -> str | None:
    if as_bool(db.inputs.get("publiclyAccessible")):
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
    if as_bool(db.inputs.get("deletionProtection")):
        return None
    return "deletionProtection is not true: one API call deletes the database"


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
)
