"""The phase-4 ALB listener rules of the Plan, held against the services' routes.

Every path rule must reach a route of the service its target group's fleet runs, and every
route of every service must land (first matching rule by priority, else the listener's
default action) on a fleet that serves it. The fleet's service is what its user data
writes as SERVICE_NAME (empty: the whole app).
"""

from __future__ import annotations

import base64
import fnmatch
import json
import re
from dataclasses import dataclass

import pytest

from app.api.router import SHARED_PATHS, service_paths
from app.core.service_names import ALL, SERVICES, resolve_service
from infra.plan.build import record_plan
from infra.plan.model import Plan, PlannedResource
from infra.stack_files import settings_for_phase

RULE = "aws:lb/listenerRule:ListenerRule"
LISTENER = "aws:lb/listener:Listener"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
ASG = "aws:autoscaling/group:Group"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
BOOT_JSON = re.compile(r"^\{.*\"role\".*\}$", re.MULTILINE)


@dataclass(frozen=True)
class PathRule:
    priority: int
    patterns: list[str]
    service: str | None  # None: a fixed response, no service


@pytest.fixture(scope="module")
def plan() -> Plan:
    return record_plan(settings_for_phase(4))


def fleet_service(plan: Plan, asg: PlannedResource) -> str:
    """SERVICE_NAME as the fleet's user data sets it (boot.json's service_name)."""
    urns = plan.by_urn()
    (template,) = [urns[d] for d in asg.dependencies if urns[d].type == LAUNCH_TEMPLATE]
    script = base64.b64decode(template.inputs["userData"]).decode()
    boot = json.loads(BOOT_JSON.search(script).group(0))  # type: ignore[union-attr]
    return resolve_service(boot.get("service_name"))


def target_services(plan: Plan) -> dict[str, str]:
    """Target-group URN -> the service of the fleet registered in it."""
    found = {}
    for asg in plan.of_type(ASG):
        for dependency in asg.dependencies:
            if plan.by_urn()[dependency].type == TARGET_GROUP:
                found[dependency] = fleet_service(plan, asg)
    return found


def routing(plan: Plan) -> tuple[list[PathRule], str]:
    """The main listener's path rules by priority, and its default action's service."""
    urns = plan.by_urn()
    services = target_services(plan)

    def target_of(resource: PlannedResource) -> str:
        (group,) = [d for d in resource.dependencies if urns[d].type == TARGET_GROUP]
        return services[group]

    # CloudFront's requests (they carry X-Origin-Verify, which every forwarding rule
    # requires): path rules by priority, then the rule on the header alone (the fallback).
    rules = []
    fallback = None
    for rule in plan.of_type(RULE):
        paths = [
            c["pathPattern"]["values"] for c in rule.inputs["conditions"] if "pathPattern" in c
        ]
        forward = rule.inputs["actions"][0]["type"] == "forward"
        if not paths:
            fallback = target_of(rule)
            continue
        rules.append(
            PathRule(
                priority=rule.inputs["priority"],
                patterns=paths[0],
                service=target_of(rule) if forward else None,
            )
        )
    assert fallback is not None, "no catch-all rule for CloudFront's requests"
    assert not any(
        r.inputs["defaultActions"][0]["type"] == "forward" for r in plan.of_type(LISTENER)
    ), "a listener forwards requests that do not come from CloudFront"
    return sorted(rules, key=lambda r: r.priority), fallback


def sample(path: str) -> str:
    """A concrete request path for a route path (parameters filled in)."""
    return re.sub(r"\{[^}]+\}", "1", path)


def alb_matches(pattern: str, path: str) -> bool:
    """ALB path patterns: ``*`` any characters, ``?`` one, case-sensitive."""
    return fnmatch.fnmatchcase(path, pattern)


def destination(rules: list[PathRule], default: str, path: str) -> str | None:
    for rule in rules:
        if any(alb_matches(pattern, path) for pattern in rule.patterns):
            return rule.service
    return default


# Reached by the other services only (Lattice, or in process): the ALB answers 404 first.
INTERNAL = {"ai"}


def unreachable(rules: list[PathRule], default: str) -> list[str]:
    """Routes of any public service that land on a fleet whose service does not serve them."""
    problems = []
    for service in [s for s in SERVICES if s not in INTERNAL]:
        for path in sorted(service_paths(service) - SHARED_PATHS):
            lands_on = destination(rules, default, sample(path))
            if lands_on is None or path not in service_paths(lands_on):
                problems.append(f"{path} ({service}) -> {lands_on}")
    return problems


def test_every_path_rule_reaches_a_route_of_its_service(plan: Plan) -> None:
    rules, _ = routing(plan)
    forwarded = [rule for rule in rules if rule.service is not None]
    assert {rule.service for rule in forwarded} == {"ai", "auth", "matching", "analytics"}
    for rule in forwarded:
        assert rule.service is not None
        paths = [sample(p) for p in service_paths(rule.service) - SHARED_PATHS]
        reached = [p for p in paths if any(alb_matches(pattern, p) for pattern in rule.patterns)]
        assert reached, (
            f"ALB rule {rule.patterns} (priority {rule.priority}) goes to the {rule.service} "
            "service, which serves no path it matches"
        )


def test_no_service_route_is_unreachable(plan: Plan) -> None:
    rules, default = routing(plan)
    assert unreachable(rules, default) == []


def test_the_internal_services_routes_are_not_public(plan: Plan) -> None:
    rules, default = routing(plan)
    for service in INTERNAL:
        for path in sorted(service_paths(service) - SHARED_PATHS):
            assert destination(rules, default, sample(path)) is None, path  # the ALB's 404


def test_routes_stay_reachable_when_the_default_fleet_runs_only_web(plan: Plan) -> None:
    """The default target group is the web/api fleet: were it to run only ``web`` (not
    the whole app), every other service's route must still have its own rule."""
    rules, default = routing(plan)
    assert default in (ALL, "web")
    assert unreachable(rules, "web") == []


def test_the_check_sees_a_route_without_a_rule() -> None:
    """Without the matching rule, /api/match falls to the web fleet, which lacks it."""
    rules = [PathRule(10, ["/api/ai/*"], "ai"), PathRule(20, ["/api/auth/*"], "auth")]
    problems = unreachable(rules, "web")
    assert "/api/match (matching) -> web" in problems
    assert any(p.startswith("/api/analytics/sdg") for p in problems)
