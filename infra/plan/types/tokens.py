"""Pulumi type tokens the code names directly, spelled once."""

from __future__ import annotations

# networking
VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
EIP = "aws:ec2/eip:Eip"
NAT_GATEWAY = "aws:ec2/natGateway:NatGateway"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
# compute
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
EC2_INSTANCE = "aws:ec2/instance:Instance"
AUTOSCALING_GROUP = "aws:autoscaling/group:Group"
SCALING_POLICY = "aws:autoscaling/policy:Policy"
LIFECYCLE_HOOK = "aws:autoscaling/lifecycleHook:LifecycleHook"
LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
# data
RDS_INSTANCE = "aws:rds/instance:Instance"
RDS_PROXY = "aws:rds/proxy:Proxy"
PROXY_TARGET = "aws:rds/proxyTarget:ProxyTarget"
REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
BUCKET = "aws:s3/bucket:Bucket"
PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword"
# edge and monitoring
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
LATTICE_NETWORK = "aws:vpclattice/serviceNetwork:ServiceNetwork"
LATTICE_SERVICE = "aws:vpclattice/service:Service"
LATTICE_AUTH_POLICY = "aws:vpclattice/authPolicy:AuthPolicy"

PROVIDER_PREFIX = "pulumi:providers:"
