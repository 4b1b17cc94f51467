"""Least privilege over the runtime secrets: each fleet's role reads only the secrets its
service uses (``infra/render/access.py``), and its boot.json names exactly those, so an
instance never fetches a secret its role cannot read and is never handed another's ARN.
Phases 1-3 (one shared role, the whole app on every fleet) read every runtime secret."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from infra.plan.model import Plan, PlannedResource
from infra.render.userdata import extract_files
from tests.infra.plan_readers import LT, by_name, user_data

ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
SECRET_ARN = re.compile(r"arn:aws:secretsmanager:[^\"]+")
SHARD = re.compile(r"secret:(gm-db-master|gm-db-shard-\d+-master)-")


def role_secrets(plan: Plan, launch_template: PlannedResource) -> set[str]:
    """What the template's instance profile's role may read (its runtime policy)."""
    profile = launch_template.inputs["iamInstanceProfile"]["name"]
    policy = by_name(plan, f"{profile.removesuffix('-profile')}-runtime", ROLE_POLICY)
    document: dict[str, Any] = json.loads(policy.inputs["policy"])
    reads = [s for s in document["Statement"] if s["Sid"] == "ReadRuntimeSecrets"]
    return {arn for statement in reads for arn in statement["Resource"]}


def boot_json(launch_template: PlannedResource) -> dict[str, Any]:
    files = extract_files(user_data(launch_template))
    config: dict[str, Any] = json.loads(files["/etc/green-matchers/boot.json"])
    return config


def named_secrets(launch_template: PlannedResource) -> set[str]:
    """Every secret ARN the template's user data carries, wherever it appears."""
    return set(SECRET_ARN.findall(json.dumps(boot_json(launch_template))))


def kinds(arns: set[str]) -> set[str]:
    """ARNs -> what they are: shard-N, cache, session-redis, session-key."""
    found = set()
    for arn in arns:
        if match := SHARD.search(arn):
            found.add("shard-0" if match[1] == "gm-db-master" else match[1][6:13])
        elif ":secret:gm-redis-sessions-auth-" in arn:
            found.add("session-redis")
        elif ":secret:gm-redis-auth-" in arn:
            found.add("cache")
        elif ":secret:gm-secrets-session-" in arn:
            found.add("session-key")
        else:
            raise AssertionError(f"unknown secret {arn}")
    return found


@pytest.mark.parametrize("phase", [1, 2, 3, 4])
def test_no_instance_is_handed_a_secret_its_role_cannot_read(
    plans: dict[int, Plan], phase: int
) -> None:
    for template in plans[phase].of_type(LT):
        carried = named_secrets(template)
        assert carried or template.name == "gm-services-ai-ml-lt", template.name
        assert carried <= role_secrets(plans[phase], template), template.name


def test_phase_4_service_roles_read_exactly_what_their_fleet_fetches(
    plans: dict[int, Plan],
) -> None:
    plan = plans[4]
    service_templates = [t for t in plan.of_type(LT) if t.name.startswith("gm-services-")]
    assert len(service_templates) == 4
    for template in service_templates:
        assert role_secrets(plan, template) == named_secrets(template), template.name
    # The api and worker fleets share a role: it reads what either fetches, nothing more.
    api, worker = by_name(plan, "gm-api-lt", LT), by_name(plan, "gm-worker-lt", LT)
    assert role_secrets(plan, api) == named_secrets(api) | named_secrets(worker)


def test_phase_4_secrets_per_fleet(plans: dict[int, Plan]) -> None:
    plan = plans[4]
    shards = {"shard-0", "shard-1", "shard-2"}

    def fetched(name: str) -> set[str]:
        return kinds(named_secrets(by_name(plan, name, LT)))

    def readable(name: str) -> set[str]:
        return kinds(role_secrets(plan, by_name(plan, name, LT)))

    assert fetched("gm-api-lt") == shards | {"cache", "session-redis", "session-key"}
    assert fetched("gm-worker-lt") == {"shard-0", "cache"}
    assert readable("gm-services-auth-lt") == {"shard-0", "session-redis", "session-key"}
    assert readable("gm-services-matching-lt") == {"shard-0", "cache"}
    assert readable("gm-services-analytics-lt") == shards | {"cache"}
    # The AI service holds the model only: its role has no secret statement at all.
    ai = by_name(plan, "gm-services-ai-ml-lt", LT)
    assert readable("gm-services-ai-ml-lt") == set() and named_secrets(ai) == set()
    config = boot_json(ai)
    assert (config["db"], config["shards"], config["redis"]) == (None, [], None)
    assert config["session_redis"] is None and config["sessions"] is False


@pytest.mark.parametrize("phase", [1, 2, 3])
def test_earlier_phases_read_every_runtime_secret(plans: dict[int, Plan], phase: int) -> None:
    plan = plans[phase]
    shards = {f"shard-{i}" for i in range(3 if phase == 3 else 1)}
    every = shards | {"cache", "session-redis", "session-key"}
    for template in plan.of_type(LT):
        assert kinds(role_secrets(plan, template)) == every
        config = boot_json(template)
        assert "sessions" not in config  # gm-boot's default: the whole app signs in users
        # phase 1-2 stacks are not sharded: shard 0 is the writer, no shard list
        assert kinds(named_secrets(template)) == every
