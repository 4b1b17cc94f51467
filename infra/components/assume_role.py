"""The trust policy of a role that one AWS service assumes (EC2, RDS Proxy, flow logs)."""

from __future__ import annotations

import json


def assume_role_policy(service: str) -> str:
    """Allow ``service`` (e.g. ``ec2.amazonaws.com``) to assume the role; nothing else.

    Keys stay in this order and unsorted: the JSON is a resource input, and a different
    spelling of the same policy would show as a change on every existing role.
    """
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": service},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )
