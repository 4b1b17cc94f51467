"""CrossGuard entry: ``pulumi preview --policy-pack policypack``.

The only module that constructs ``pulumi_policy.PolicyPack``; the rules are the plain
functions in ``infra/policy`` (FACTS.md: building the pack blocks on a gRPC server).
"""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, PolicyPack, StackValidationPolicy

from infra.policy.crossguard import stack_validator
from infra.policy.rules import ALL_RULES, rule_ids
from infra.policy.suppressions import DEFAULT_FILE, load_suppressions

SUPPRESSIONS = load_suppressions(DEFAULT_FILE, set(rule_ids()))

PolicyPack(
    name="green-matchers-security",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=[
        StackValidationPolicy(
            name=rule.id.lower(),
            description=rule.title
            + (f" ({', '.join(rule.checkov + rule.cdk_nag)})" if rule.checkov else ""),
            validate=stack_validator(rule, SUPPRESSIONS),
        )
        for rule in ALL_RULES
    ],
)
