"""The AWS role of the `pulumi-preview` CI job: who may assume it and what it may not do.

The job (``.github/workflows/pr-preview.yml``) runs a real ``pulumi preview`` with code from a
pull request, so its credentials must be worth little to that code:

* **trust**: only GitHub's OIDC tokens for this repository *and* the job's GitHub
  environment (``token.actions.githubusercontent.com:sub`` =
  ``repo:OWNER/NAME:environment:pulumi-preview``, ``:aud`` = ``sts.amazonaws.com``), so a
  run must pass the environment's required reviewers before it gets a token;
* **permissions**: AWS's managed ``ReadOnlyAccess`` (what a preview reads) with an explicit
  deny of the reads that would hand over secrets (Secrets Manager values, SSM parameters,
  KMS decryption) and of ``iam:PassRole``.

``gm-infra render ci-role --repository OWNER/NAME --account ID`` writes both documents;
``gm-infra validate`` judges them with parliament and cloudsplaining beside the plan's.
"""

from __future__ import annotations

import json
import re

from infra.errors import BadInputError

PREVIEW_ENVIRONMENT = "pulumi-preview"
GITHUB_OIDC = "token.actions.githubusercontent.com"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
# What ReadOnlyAccess allows that would reveal a secret, and what no preview needs.
DENIED = (
    "iam:PassRole",
    "kms:Decrypt",
    "secretsmanager:GetSecretValue",
    "ssm:GetParameter",
    "ssm:GetParameterHistory",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
)
# A placeholder account for judging the documents without one (validate).
EXAMPLE_ACCOUNT = "123456789012"
EXAMPLE_REPOSITORY = "green-matchers/infra"
REPOSITORY = re.compile(r"^[A-Za-z0-9-]{1,39}/[A-Za-z0-9._-]{1,100}$")
ACCOUNT = re.compile(r"^\d{12}$")


def _check(account: str, repository: str) -> None:
    if not ACCOUNT.match(account):
        raise BadInputError(f"account {account!r} is not an AWS account id", "12 digits")
    if not REPOSITORY.match(repository):
        raise BadInputError(
            f"repository {repository!r} is not a GitHub repository", "OWNER/NAME, e.g. acme/infra"
        )


def trust_policy(account: str, repository: str, environment: str = PREVIEW_ENVIRONMENT) -> str:
    """GitHub's OIDC tokens for ``repository``'s ``environment`` may assume the role."""
    _check(account, repository)
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "PreviewJobOfThisRepository",
                    "Effect": "Allow",
                    "Principal": {
                        "Federated": f"arn:aws:iam::{account}:oidc-provider/{GITHUB_OIDC}"
                    },
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {
                        "StringEquals": {
                            f"{GITHUB_OIDC}:aud": "sts.amazonaws.com",
                            f"{GITHUB_OIDC}:sub": f"repo:{repository}:environment:{environment}",
                        }
                    },
                }
            ],
        },
        indent=2,
        sort_keys=True,
    )


def guard_policy() -> str:
    """The inline policy beside ReadOnlyAccess: deny every read that hands over a secret."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "NoSecretsForPullRequestCode",
                    "Effect": "Deny",
                    "Action": sorted(DENIED),
                    "Resource": "*",
                }
            ],
        },
        indent=2,
        sort_keys=True,
    )
