"""The CrossGuard pack runs the same rules: the adapter on fake stack resources, and the
pack entry with PolicyPack replaced by a recorder (the real one blocks on gRPC)."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from infra.policy.crossguard import plan_from_stack, stack_validator
from infra.policy.rules import ALL_RULES
from tests.infra.factories import compliant, with_inputs

PACK = Path(__file__).resolve().parents[3] / "policypack" / "__main__.py"


def _as_policy_resources(resources: list[Any]) -> list[SimpleNamespace]:
    by_urn: dict[str, SimpleNamespace] = {}
    for r in resources:
        by_urn[r.urn] = SimpleNamespace(
            urn=r.urn,
            resource_type=r.type,
            name=r.name,
            props=r.inputs,
            parent=None,
            dependencies=[],
        )
    for r in resources:
        by_urn[r.urn].dependencies = [by_urn[d] for d in r.dependencies if d in by_urn]
    return list(by_urn.values())


def test_adapter_keeps_types_props_and_dependencies() -> None:
    stack = _as_policy_resources(list(compliant().values()))
    plan = plan_from_stack(stack)
    asg = next(r for r in plan.resources if r.name == "gm-api-asg")
    assert asg.inputs["desiredCapacity"] == 2 and len(asg.dependencies) == 2


def test_validator_reports_violation_with_urn() -> None:
    resources = compliant()
    resources["db"] = with_inputs(resources["db"], storageEncrypted=False)
    rule = next(r for r in ALL_RULES if r.id == "GM-RDS-1")
    reports: list[tuple[str, str | None]] = []
    stack_validator(rule, [])(
        SimpleNamespace(resources=_as_policy_resources(list(resources.values()))),
        lambda message, urn: reports.append((message, urn)),
    )
    assert reports == [
        (
            "gm-db: storageEncrypted is not true: the database is stored unencrypted",
            resources["db"].urn,
        )
    ]


def test_pack_entry_builds_one_policy_per_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    pulumi_policy = pytest.importorskip("pulumi_policy")
    built: dict[str, Any] = {}
    monkeypatch.setattr(pulumi_policy, "PolicyPack", lambda **kwargs: built.update(kwargs))
    monkeypatch.setattr(sys, "argv", [str(PACK)])
    runpy.run_path(str(PACK), run_name="__main__")
    assert built["name"] == "green-matchers-security"
    assert [p.name for p in built["policies"]] == [r.id.lower() for r in ALL_RULES]
