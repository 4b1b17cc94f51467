"""Resources that hold data, and the inputs whose change makes the provider replace them."""

from __future__ import annotations

# type token -> inputs whose change forces a replacement (ForceNew in the AWS provider).
REPLACE_ON_CHANGE: dict[str, frozenset[str]] = {
    "aws:rds/instance:Instance": frozenset(
        {
            "identifier",
            "identifierPrefix",
            "engine",
            "dbName",
            "username",
            "storageEncrypted",
            "kmsKeyId",
            "availabilityZone",
            "characterSetName",
            "ncharCharacterSetName",
            "snapshotIdentifier",
            "restoreToPointInTime",
            "s3Import",
            "timezone",
            "customIamInstanceProfile",
        }
    ),
    "aws:rds/cluster:Cluster": frozenset(
        {
            "clusterIdentifier",
            "engine",
            "databaseName",
            "masterUsername",
            "storageEncrypted",
            "kmsKeyId",
            "snapshotIdentifier",
            "availabilityZones",
        }
    ),
    "aws:elasticache/replicationGroup:ReplicationGroup": frozenset(
        {
            "replicationGroupId",
            "engine",
            "atRestEncryptionEnabled",
            "kmsKeyId",
            "subnetGroupName",
            "port",
            "snapshotArns",
            "snapshotName",
            "dataTieringEnabled",
        }
    ),
    "aws:elasticache/cluster:Cluster": frozenset(
        {
            "clusterId",
            "engine",
            "subnetGroupName",
            "port",
            "snapshotArns",
            "snapshotName",
        }
    ),
    "aws:s3/bucket:Bucket": frozenset({"bucket", "bucketPrefix", "objectLockEnabled"}),
    "aws:dynamodb/table:Table": frozenset({"name", "hashKey", "rangeKey"}),
    "aws:efs/fileSystem:FileSystem": frozenset({"encrypted", "kmsKeyId", "performanceMode"}),
    "aws:ebs/volume:Volume": frozenset({"availabilityZone", "encrypted", "snapshotId"}),
}

STATEFUL_TYPES = frozenset(REPLACE_ON_CHANGE)


def is_stateful(type_token: str) -> bool:
    return type_token in STATEFUL_TYPES


def forces_replacement(type_token: str, path: str) -> bool:
    """Whether changing the input at ``path`` (``a.b[0].c``) replaces a resource of this type."""
    top = path.split(".", 1)[0].split("[", 1)[0]
    return top in REPLACE_ON_CHANGE.get(type_token, frozenset())
