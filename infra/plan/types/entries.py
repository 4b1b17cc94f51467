"""The catalogue's entries: every resource type the program declares, and a few it may.

Sources: CloudFormation names from the AWS resource and property types reference;
create-only inputs from the AWS provider's ForceNew arguments (pulumi-aws replaces on them).
"""

from __future__ import annotations

from infra.plan.types import tokens as t
from infra.plan.types.facts import TypeFacts

_S = frozenset


def _bucket_part(token: str, cfn_property: str) -> TypeFacts:
    return TypeFacts(token, None, "free", cloudformation_note=f"{cfn_property} of AWS::S3::Bucket")


NETWORK = [
    TypeFacts(t.VPC, "AWS::EC2::VPC", "free", replace_on=_S({"cidrBlock"}), show=("cidrBlock",)),
    TypeFacts(
        t.SUBNET,
        "AWS::EC2::Subnet",
        "free",
        replace_on=_S({"vpcId", "cidrBlock", "availabilityZone", "availabilityZoneId"}),
        show=("cidrBlock", "availabilityZone"),
    ),
    TypeFacts(
        "aws:ec2/internetGateway:InternetGateway",
        "AWS::EC2::InternetGateway",
        "free",
        cloudformation_note="its vpcId becomes an AWS::EC2::VPCGatewayAttachment",
    ),
    TypeFacts(t.EIP, "AWS::EC2::EIP", "priced", replace_on=_S({"domain"})),
    TypeFacts(
        t.NAT_GATEWAY,
        "AWS::EC2::NatGateway",
        "priced",
        replace_on=_S({"subnetId", "allocationId", "connectivityType"}),
        show=(),
        tier=8,
        label="NAT",
    ),
    TypeFacts("aws:ec2/routeTable:RouteTable", "AWS::EC2::RouteTable", "free"),
    TypeFacts(
        "aws:ec2/route:Route",
        "AWS::EC2::Route",
        "free",
        replace_on=_S({"routeTableId", "destinationCidrBlock", "destinationIpv6CidrBlock"}),
    ),
    TypeFacts(
        "aws:ec2/routeTableAssociation:RouteTableAssociation",
        "AWS::EC2::SubnetRouteTableAssociation",
        "free",
        replace_on=_S({"subnetId", "gatewayId"}),
    ),
    TypeFacts(
        t.SECURITY_GROUP,
        "AWS::EC2::SecurityGroup",
        "free",
        replace_on=_S({"name", "namePrefix", "description", "vpcId"}),
    ),
    TypeFacts(
        "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
        None,
        "free",
        cloudformation_note="CloudFormation cannot adopt a VPC's default security group",
    ),
    TypeFacts(
        t.SECURITY_GROUP_RULE,
        "AWS::EC2::SecurityGroupIngress",
        "free",
        cloudformation_note="AWS::EC2::SecurityGroupEgress when its type is egress",
        replace_on=_S({"type", "securityGroupId", "protocol", "fromPort", "toPort"}),
    ),
    TypeFacts(
        t.INGRESS_RULE,
        "AWS::EC2::SecurityGroupIngress",
        "free",
        replace_on=_S({"securityGroupId"}),
    ),
    TypeFacts(
        "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
        "AWS::EC2::SecurityGroupEgress",
        "free",
        replace_on=_S({"securityGroupId"}),
    ),
    TypeFacts(
        "aws:ec2/flowLog:FlowLog",
        "AWS::EC2::FlowLog",
        "free",  # its bytes are priced on the log group's line
        replace_on=_S({"vpcId", "subnetId", "trafficType", "logDestination", "logDestinationType"}),
    ),
]

IDENTITY = [
    TypeFacts("aws:iam/role:Role", "AWS::IAM::Role", "free", replace_on=_S({"name", "path"})),
    TypeFacts("aws:iam/rolePolicy:RolePolicy", "AWS::IAM::RolePolicy", "free"),
    TypeFacts(
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        None,
        "free",
        cloudformation_note="ManagedPolicyArns of AWS::IAM::Role",
    ),
    TypeFacts("aws:iam/instanceProfile:InstanceProfile", "AWS::IAM::InstanceProfile", "free"),
    TypeFacts("aws:iam/policy:Policy", "AWS::IAM::ManagedPolicy", "free"),
    TypeFacts(
        "aws:kms/key:Key",
        "AWS::KMS::Key",
        "priced",
        replace_on=_S({"keyUsage", "customerMasterKeySpec"}),
    ),
    TypeFacts(
        "aws:secretsmanager/secret:Secret",
        "AWS::SecretsManager::Secret",
        "priced",
        replace_on=_S({"name", "namePrefix"}),
    ),
    TypeFacts(
        "aws:secretsmanager/secretVersion:SecretVersion",
        None,
        "free",  # priced per secret, not per version
        cloudformation_note="SecretString of AWS::SecretsManager::Secret",
    ),
    TypeFacts(
        t.RANDOM_PASSWORD,
        None,
        "free",
        cloudformation_note="not an AWS resource (CloudFormation would use the secret's "
        "GenerateSecretString)",
        # the random provider makes a new value when any of its arguments changes
        replace_on=_S(
            {
                "length",
                "special",
                "upper",
                "lower",
                "numeric",
                "minLower",
                "minUpper",
                "minNumeric",
                "minSpecial",
                "overrideSpecial",
                "keepers",
            }
        ),
    ),
    TypeFacts("random:index/randomId:RandomId", None, "free", cloudformation_note="not AWS"),
]

COMPUTE = [
    TypeFacts(
        t.LAUNCH_TEMPLATE,
        "AWS::EC2::LaunchTemplate",
        "free",  # its instances are priced on the ASG's line
        replace_on=_S({"name", "namePrefix"}),
        show=("instanceType", "metadataOptions.httpTokens"),
        connector=True,
    ),
    TypeFacts(t.EC2_INSTANCE, "AWS::EC2::Instance", "unpriced"),
    TypeFacts(
        t.AUTOSCALING_GROUP,
        "AWS::AutoScaling::AutoScalingGroup",
        "priced",
        replace_on=_S({"name", "namePrefix"}),
        show=("minSize", "desiredCapacity", "maxSize", "healthCheckType"),
        tier=4,
        label="ASG",
    ),
    TypeFacts(
        t.SCALING_POLICY,
        "AWS::AutoScaling::ScalingPolicy",
        "free",
        replace_on=_S({"name", "autoscalingGroupName"}),
    ),
    TypeFacts(
        t.LIFECYCLE_HOOK,
        "AWS::AutoScaling::LifecycleHook",
        "free",
        replace_on=_S({"name", "autoscalingGroupName"}),
    ),
    TypeFacts(
        "aws:autoscaling/trafficSourceAttachment:TrafficSourceAttachment",
        None,
        "free",
        cloudformation_note="a TrafficSources entry of AWS::AutoScaling::AutoScalingGroup",
        connector=True,
    ),
    TypeFacts(
        "aws:autoscaling/attachment:Attachment",
        None,
        "free",
        cloudformation_note="TargetGroupARNs of AWS::AutoScaling::AutoScalingGroup",
    ),
    TypeFacts(
        t.LOAD_BALANCER,
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "priced",
        replace_on=_S({"name", "namePrefix", "internal", "loadBalancerType"}),
        show=("dropInvalidHeaderFields", "enableDeletionProtection"),
        tier=2,
        label="ALB",
    ),
    TypeFacts(
        t.TARGET_GROUP,
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        "free",
        replace_on=_S({"name", "namePrefix", "port", "protocol", "vpcId", "targetType"}),
        show=("port", "healthCheck.path", "stickiness.enabled"),
        tier=3,
        label="target group",
    ),
    TypeFacts(
        t.LISTENER,
        "AWS::ElasticLoadBalancingV2::Listener",
        "free",
        replace_on=_S({"loadBalancerArn"}),
        show=("port", "protocol", "sslPolicy"),
        connector=True,
    ),
    TypeFacts(
        "aws:lb/listenerRule:ListenerRule",
        "AWS::ElasticLoadBalancingV2::ListenerRule",
        "free",
        replace_on=_S({"listenerArn"}),
        show=("priority", "conditions.0.pathPattern.values"),
        connector=True,
    ),
]

DATA = [
    TypeFacts(
        t.RDS_INSTANCE,
        "AWS::RDS::DBInstance",
        "priced",
        stateful=True,
        replace_on=_S(
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
        show=("identifier", "instanceClass", "multiAz", "replicateSourceDb", "storageEncrypted"),
        tier=7,
        label="RDS",
    ),
    TypeFacts(
        "aws:rds/cluster:Cluster",
        "AWS::RDS::DBCluster",
        "unpriced",
        stateful=True,
        replace_on=_S(
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
    ),
    TypeFacts(
        "aws:rds/parameterGroup:ParameterGroup",
        "AWS::RDS::DBParameterGroup",
        "free",
        replace_on=_S({"name", "namePrefix", "family"}),
    ),
    TypeFacts(
        "aws:rds/subnetGroup:SubnetGroup",
        "AWS::RDS::DBSubnetGroup",
        "free",
        replace_on=_S({"name", "namePrefix"}),
    ),
    TypeFacts(
        t.RDS_PROXY,
        "AWS::RDS::DBProxy",
        "priced",
        replace_on=_S({"name", "engineFamily"}),
        show=("name", "requireTls"),
        tier=6,
        label="RDS Proxy",
    ),
    TypeFacts(
        "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup",
        "AWS::RDS::DBProxyTargetGroup",
        "free",
        replace_on=_S({"dbProxyName"}),
        connector=True,
    ),
    TypeFacts(
        t.PROXY_TARGET,
        None,
        "free",
        cloudformation_note="DBInstanceIdentifiers of AWS::RDS::DBProxyTargetGroup",
        replace_on=_S({"dbProxyName", "targetGroupName", "dbInstanceIdentifier"}),
        connector=True,
    ),
    TypeFacts(
        t.REPLICATION_GROUP,
        "AWS::ElastiCache::ReplicationGroup",
        "priced",
        stateful=True,
        replace_on=_S(
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
        show=(
            "nodeType",
            "numCacheClusters",
            "automaticFailoverEnabled",
            "transitEncryptionEnabled",
        ),
        tier=7,
        label="Redis",
    ),
    TypeFacts(
        "aws:elasticache/cluster:Cluster",
        "AWS::ElastiCache::CacheCluster",
        "unpriced",
        stateful=True,
        replace_on=_S(
            {"clusterId", "engine", "subnetGroupName", "port", "snapshotArns", "snapshotName"}
        ),
    ),
    TypeFacts(
        "aws:elasticache/subnetGroup:SubnetGroup",
        "AWS::ElastiCache::SubnetGroup",
        "free",
        replace_on=_S({"name"}),
    ),
    TypeFacts(
        "aws:elasticache/parameterGroup:ParameterGroup",
        "AWS::ElastiCache::ParameterGroup",
        "free",
        replace_on=_S({"name", "family"}),
    ),
    TypeFacts(
        "aws:dynamodb/table:Table",
        "AWS::DynamoDB::Table",
        "unpriced",
        stateful=True,
        replace_on=_S({"name", "hashKey", "rangeKey"}),
    ),
    TypeFacts(
        "aws:efs/fileSystem:FileSystem",
        "AWS::EFS::FileSystem",
        "unpriced",
        stateful=True,
        replace_on=_S({"encrypted", "kmsKeyId", "performanceMode"}),
    ),
    TypeFacts(
        "aws:ebs/volume:Volume",
        "AWS::EC2::Volume",
        "unpriced",
        stateful=True,
        replace_on=_S({"availabilityZone", "encrypted", "snapshotId"}),
    ),
]

STORAGE = [
    TypeFacts(
        t.BUCKET,
        "AWS::S3::Bucket",
        "priced",
        stateful=True,
        replace_on=_S({"bucket", "bucketPrefix", "objectLockEnabled"}),
        tier=7,
        label="S3",
    ),
    _bucket_part(t.PUBLIC_ACCESS_BLOCK, "PublicAccessBlockConfiguration"),
    _bucket_part("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "OwnershipControls"),
    _bucket_part(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "BucketEncryption",
    ),
    _bucket_part("aws:s3/bucketVersioning:BucketVersioning", "VersioningConfiguration"),
    _bucket_part("aws:s3/bucketLogging:BucketLogging", "LoggingConfiguration"),
    TypeFacts("aws:s3/bucketPolicy:BucketPolicy", "AWS::S3::BucketPolicy", "free"),
    TypeFacts(
        "aws:s3/bucketObjectv2:BucketObjectv2",
        None,
        "free",  # its bytes are in the bucket's storage line
        cloudformation_note="CloudFormation has no S3 object resource",
    ),
    TypeFacts(
        "aws:s3/bucketObject:BucketObject",
        None,
        "free",
        cloudformation_note="CloudFormation has no S3 object resource",
    ),
]

EDGE = [
    TypeFacts(
        t.DISTRIBUTION,
        "AWS::CloudFront::Distribution",
        "priced",
        show=("priceClass",),
        tier=1,
        label="CloudFront",
    ),
    TypeFacts(
        "aws:cloudfront/originAccessControl:OriginAccessControl",
        "AWS::CloudFront::OriginAccessControl",
        "free",
    ),
    TypeFacts(
        t.METRIC_ALARM,
        "AWS::CloudWatch::Alarm",
        "priced",
        replace_on=_S({"name"}),
        show=("metricName", "threshold"),
    ),
    TypeFacts(
        "aws:cloudwatch/dashboard:Dashboard",
        "AWS::CloudWatch::Dashboard",
        "priced",
        replace_on=_S({"dashboardName"}),
    ),
    TypeFacts(
        "aws:cloudwatch/logGroup:LogGroup",
        "AWS::Logs::LogGroup",
        "priced",
        replace_on=_S({"name", "namePrefix"}),
    ),
    TypeFacts(
        "aws:sns/topic:Topic",
        "AWS::SNS::Topic",
        "free",  # no standing charge; deliveries are fractions of a cent
        replace_on=_S({"name", "namePrefix", "fifoTopic"}),
    ),
    TypeFacts("aws:sns/topicSubscription:TopicSubscription", "AWS::SNS::Subscription", "free"),
    TypeFacts("aws:sns/topicPolicy:TopicPolicy", "AWS::SNS::TopicPolicy", "free"),
    TypeFacts(
        t.LATTICE_NETWORK,
        "AWS::VpcLattice::ServiceNetwork",
        "free",
        replace_on=_S({"name"}),
        tier=5,
        label="Lattice network",
    ),
    TypeFacts(
        t.LATTICE_SERVICE,
        "AWS::VpcLattice::Service",
        "priced",
        replace_on=_S({"name"}),
        show=("name",),
        tier=5,
        label="Lattice service",
    ),
    TypeFacts(
        "aws:vpclattice/serviceNetworkVpcAssociation:ServiceNetworkVpcAssociation",
        "AWS::VpcLattice::ServiceNetworkVpcAssociation",
        "free",
    ),
    TypeFacts(
        "aws:vpclattice/serviceNetworkServiceAssociation:ServiceNetworkServiceAssociation",
        "AWS::VpcLattice::ServiceNetworkServiceAssociation",
        "free",
        connector=True,
    ),
    TypeFacts(
        "aws:vpclattice/listener:Listener", "AWS::VpcLattice::Listener", "free", connector=True
    ),
    TypeFacts(
        "aws:vpclattice/targetGroup:TargetGroup",
        "AWS::VpcLattice::TargetGroup",
        "free",
        replace_on=_S({"name", "type"}),
        connector=True,
    ),
    TypeFacts(
        t.LATTICE_AUTH_POLICY,
        "AWS::VpcLattice::AuthPolicy",
        "free",
        replace_on=_S({"resourceIdentifier"}),
    ),
    TypeFacts(
        "aws:vpclattice/targetGroupAttachment:TargetGroupAttachment",
        None,
        "free",
        cloudformation_note="Targets of AWS::VpcLattice::TargetGroup",
    ),
]

ENTRIES: list[TypeFacts] = [*NETWORK, *IDENTITY, *COMPUTE, *DATA, *STORAGE, *EDGE]
