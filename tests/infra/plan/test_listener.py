"""The ALB routing table read from the Plan: rules, priorities, fleets, refusals."""

from __future__ import annotations

import dataclasses

import pytest

from infra.components.services import SERVICES
from infra.plan.build import plan_for_phase
from infra.plan.listener import routing_table
from infra.plan.model import Plan
from infra.render.access import SERVICE_ACCESS
from infra.render.alb_routes import FixedResponse, Forward, Redirect, RoutesError, route

CDN = {"X-Origin-Verify": "[secret]"}  # what CloudFront adds (the Plan redacts the value)


@pytest.fixture(scope="module")
def phase4() -> Plan:
    return plan_for_phase(4)


def test_phase4_rules_come_in_priority_order_and_reach_the_service_fleets(phase4: Plan) -> None:
    table = routing_table(phase4)
    priorities = [rule.priority for rule in table.rules]
    assert priorities == sorted(priorities)
    assert len(set(priorities)) == len(priorities)
    forwards = {rule.paths: rule for rule in table.rules if isinstance(rule.action, Forward)}
    # every service the program declares is a rule of the plan, to that service's fleet,
    # plus CloudFront's catch-all to the api fleet; each requires CloudFront's header
    assert len(forwards) == len(SERVICES) + 1
    assert all(rule.header and rule.header.name == "X-Origin-Verify" for rule in forwards.values())
    for spec in SERVICES:
        rule = forwards[tuple(spec.paths)]
        assert rule.priority == spec.priority
        assert isinstance(rule.action, Forward)
        assert rule.action.fleet.service == spec.name
        assert rule.action.fleet.role == "service"
        assert rule.action.fleet.health_path == "/health"
        # the fleets that see every shard (the others: shard 0 only, infra/render/access.py)
        every = SERVICE_ACCESS[spec.name].database == "all"
        assert rule.action.fleet.shards == (3 if every else 0)


def test_phase4_cloudfronts_requests_go_to_the_api_fleet_and_internal_paths_are_closed(
    phase4: Plan,
) -> None:
    table = routing_table(phase4)
    # without CloudFront's header: the redirect to an HTTPS listener that does not exist
    assert table.default == Redirect(301, "443")
    assert route(table, "/api/jobs") == table.default
    assert route(table, "/api/match", {"X-Origin-Verify": "forged"}) == table.default
    fallback = route(table, "/", CDN)
    assert isinstance(fallback, Forward) and fallback.fleet.role == "api"
    assert len(table.fleets()) == 1 + len(SERVICES)
    closed = FixedResponse(404, "text/plain", "not found")
    for path in (
        "/metrics",
        "/metrics/anything",
        "/api/ai/embed",
        "/api/embeddings/model",
        "/docs",
        "/openapi.json",
        "/redoc",
        "/health/ready",
    ):
        assert route(table, path, CDN) == closed, path
        assert route(table, path) == closed, path
    # the internal rules have the lowest priority numbers: they win over every forward
    assert table.rules[0].action == closed and table.rules[1].action == closed


@pytest.mark.parametrize(
    ("path", "service"),
    [
        ("/", "web"),  # the listener's default: the api fleet, which runs web in phase 4
        ("/api/jobs", "web"),
        ("/api/match", "matching"),
        ("/api/match/careers", "matching"),
        ("/api/matches", "web"),  # /api/match exactly, or under /api/match/
        ("/api/ai", "web"),
        ("/api/auth/login", "auth"),
        ("/api/analytics/sdg", "analytics"),
        ("/API/auth/login", "web"),  # ALB path patterns are case sensitive
    ],
)
def test_route_for_a_path(phase4: Plan, path: str, service: str) -> None:
    action = route(routing_table(phase4), path, CDN)
    assert isinstance(action, Forward)
    assert action.fleet.service == service


@pytest.mark.parametrize("phase", [1, 2, 3])
def test_before_phase4_everything_goes_to_the_whole_app(phase: int) -> None:
    table = routing_table(plan_for_phase(phase))
    assert [fleet.role for fleet in table.fleets()] == ["api"]
    assert table.fleets()[0].service == ""
    assert [type(rule.action) for rule in table.rules] == [FixedResponse, FixedResponse, Forward]
    assert table.fleets()[0].shards == (3 if phase == 3 else 0)


def _edit_rule(plan: Plan, name: str, **inputs: object) -> Plan:
    resources = [
        dataclasses.replace(r, inputs={**r.inputs, **inputs}) if r.name == name else r
        for r in plan.resources
    ]
    return dataclasses.replace(plan, resources=resources)


def test_a_host_header_condition_is_refused_by_name(phase4: Plan) -> None:
    plan = _edit_rule(
        phase4, "gm-web-auth-route", conditions=[{"hostHeader": {"values": ["a.example"]}}]
    )
    with pytest.raises(RoutesError, match="gm-web-auth-route has a hostHeader condition"):
        routing_table(plan)


def test_a_redirect_elsewhere_than_https_is_refused_by_name(phase4: Plan) -> None:
    action = {"type": "redirect", "redirect": {"protocol": "HTTP", "host": "a.example"}}
    plan = _edit_rule(phase4, "gm-web-auth-route", actions=[action])
    with pytest.raises(RoutesError, match="gm-web-auth-route redirects elsewhere than to HTTPS"):
        routing_table(plan)


def test_an_unknown_action_is_refused_by_name(phase4: Plan) -> None:
    plan = _edit_rule(phase4, "gm-web-auth-route", actions=[{"type": "authenticate-oidc"}])
    with pytest.raises(RoutesError, match="gm-web-auth-route has a 'authenticate-oidc' action"):
        routing_table(plan)


def test_two_rules_with_one_priority_are_refused(phase4: Plan) -> None:
    plan = _edit_rule(phase4, "gm-web-auth-route", priority=10)
    with pytest.raises(RoutesError, match="share priority 10"):
        routing_table(plan)


def test_a_fixed_response_body_nginx_would_interpolate_is_refused(phase4: Plan) -> None:
    action = {
        "type": "fixed-response",
        "fixedResponse": {"contentType": "text/plain", "messageBody": "$host", "statusCode": "404"},
    }
    plan = _edit_rule(phase4, "gm-web-internal-paths", actions=[action])
    with pytest.raises(RoutesError, match="not plain text"):
        routing_table(plan)


def test_a_target_group_no_fleet_registers_into_is_refused(phase4: Plan) -> None:
    arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/gm-orphan-tg/0"
    plan = _edit_rule(
        phase4, "gm-web-auth-route", actions=[{"type": "forward", "targetGroupArn": arn}]
    )
    with pytest.raises(RoutesError, match="gm-orphan-tg, which 0 auto-scaling groups"):
        routing_table(plan)
