"""Resource types that cost nothing by nature (or are paid for on another line)."""

from __future__ import annotations

FREE_TYPES: frozenset[str] = frozenset(
    {
        # networking plumbing
        "aws:ec2/vpc:Vpc",
        "aws:ec2/subnet:Subnet",
        "aws:ec2/routeTable:RouteTable",
        "aws:ec2/route:Route",
        "aws:ec2/routeTableAssociation:RouteTableAssociation",
        "aws:ec2/internetGateway:InternetGateway",
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
        "aws:ec2/flowLog:FlowLog",  # its bytes are priced on the log group's line
        "aws:ec2/securityGroupRule:SecurityGroupRule",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
        # identity
        "aws:iam/role:Role",
        "aws:iam/rolePolicy:RolePolicy",
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:iam/instanceProfile:InstanceProfile",
        "aws:iam/policy:Policy",
        # configuration of a priced resource (the instances are priced on the ASG line)
        "aws:ec2/launchTemplate:LaunchTemplate",
        "aws:autoscaling/policy:Policy",
        "aws:autoscaling/trafficSourceAttachment:TrafficSourceAttachment",
        "aws:autoscaling/attachment:Attachment",
        "aws:lb/targetGroup:TargetGroup",
        "aws:lb/listener:Listener",
        "aws:lb/listenerRule:ListenerRule",
        "aws:rds/parameterGroup:ParameterGroup",
        "aws:rds/subnetGroup:SubnetGroup",
        "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup",
        "aws:rds/proxyTarget:ProxyTarget",
        "aws:elasticache/subnetGroup:SubnetGroup",
        "aws:elasticache/parameterGroup:ParameterGroup",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketVersioning:BucketVersioning",
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:s3/bucketObjectv2:BucketObjectv2",  # its bytes are in the bucket's storage line
        "aws:s3/bucketObject:BucketObject",
        "aws:cloudfront/originAccessControl:OriginAccessControl",
        "aws:secretsmanager/secretVersion:SecretVersion",  # priced per secret, not per version
        "aws:sns/topic:Topic",  # no standing charge; deliveries are fractions of a cent
        "aws:sns/topicSubscription:TopicSubscription",
        "aws:vpclattice/serviceNetwork:ServiceNetwork",
        "aws:vpclattice/serviceNetworkVpcAssociation:ServiceNetworkVpcAssociation",
        "aws:vpclattice/serviceNetworkServiceAssociation:ServiceNetworkServiceAssociation",
        "aws:vpclattice/listener:Listener",
        "aws:vpclattice/targetGroup:TargetGroup",
        "aws:vpclattice/targetGroupAttachment:TargetGroupAttachment",
        # not AWS resources
        "random:index/randomPassword:RandomPassword",
        "random:index/randomId:RandomId",
    }
)


def is_free(type_token: str) -> bool:
    return type_token in FREE_TYPES or type_token.startswith("pulumi:providers:")
