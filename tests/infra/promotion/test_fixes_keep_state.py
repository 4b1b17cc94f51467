"""The issue-9 fixes change no URN and replace nothing stateful (diff against the seed)."""

from __future__ import annotations

import subprocess

import pytest

from infra.diff.compute import diff_plans
from infra.plan.gitref import plan_at_ref
from infra.plan.model import Plan

# The last commit before the fixes (Lattice SG text, log_output, DescribeLogGroups,
# dashboard names, CloudFront TLS floor and compress).
SEED = "857e103"

# The fixed resources change in place (the Lattice group's description is create-only, but
# a group is not stateful and the old text was never deployable).
IN_PLACE = {"gm-db-params", "gm-cdn-distribution", "gm-network-flow-logs-write"}
# Removed on purpose since the seed, none of them stateful.
INTENDED_REMOVALS = {
    # issue 13: the CloudWatch agent's managed policy allowed PutMetricData to every
    # namespace; no agent runs, the app publishes itself under a namespace-limited statement
    "gm-instance-cloudwatch",
    # issue 25: AmazonSSMManagedInstanceCore let instances read every SSM parameter; an
    # inline agent policy (gm-instance-ssm-agent) replaces it. One role per RDS Proxy
    # (gm-db-proxy-N-role) replaces the shared one that read every shard's secret.
    "gm-instance-ssm",
    "gm-services-ai-ml-instance-ssm",
    "gm-services-auth-instance-ssm",
    "gm-services-matching-instance-ssm",
    "gm-services-analytics-instance-ssm",
    "gm-db-proxy-role",
    "gm-db-proxy-secrets",
    # issue 19: the ALB admitted 80 and 443 from anywhere; now CloudFront's prefix list only
    "gm-network-alb-in-80-v4",
    "gm-network-alb-in-80-v6",
    "gm-network-alb-in-443-v4",
    "gm-network-alb-in-443-v6",
}


@pytest.fixture(scope="module")
def seed_available() -> None:
    found = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", f"{SEED}^{{commit}}"],
        capture_output=True,
        check=False,
    )
    if found.returncode != 0:
        pytest.skip(f"the seed commit {SEED} is not in this clone's history")


@pytest.mark.parametrize("phase", [1, 4])
def test_only_the_fixed_resources_change(
    seed_available: None, phase: int, phase_plans: dict[int, Plan]
) -> None:
    before = plan_at_ref(SEED, phase=phase)
    diff = diff_plans(before, phase_plans[phase])
    removed = {c.name for c in diff.removed}
    assert removed <= INTENDED_REMOVALS  # every other URN kept
    assert diff.warnings == []  # nothing stateful replaced or deleted
    changed = {c.name: c.action for c in diff.changed}
    for name in IN_PLACE:
        assert changed.get(name) == "update", (name, changed.get(name))
