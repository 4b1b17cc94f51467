"""Renderings of the Plan for outside judges (a CloudFormation template for cfn-lint/checkov)."""
