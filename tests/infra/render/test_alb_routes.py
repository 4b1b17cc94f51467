"""ALB path-pattern semantics as anchored regexes, and routing by priority."""

from __future__ import annotations

import re

import pytest

from infra.render.alb_routes import (
    FixedResponse,
    Fleet,
    Forward,
    RoutesError,
    RoutingTable,
    Rule,
    path_regex,
    route,
)


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("/api/ai/*", "/api/ai/", True),
        ("/api/ai/*", "/api/ai/embed/batch", True),
        ("/api/ai/*", "/api/ai", False),
        ("/a?c", "/abc", True),
        ("/a?c", "/ac", False),
        ("/a?c", "/abbc", False),
        ("/a.b", "/axb", False),  # a dot is a dot
        ("/a+b", "/a+b", True),
        ("/a+b", "/aab", False),
        ("/x$", "/x$", True),
    ],
)
def test_path_regex_has_alb_semantics(pattern: str, path: str, matches: bool) -> None:
    regex = path_regex(pattern)
    assert regex.startswith("^") and regex.endswith("$")
    assert bool(re.fullmatch(regex, path)) is matches


@pytest.mark.parametrize("pattern", ["api/x", '/a"b', "/a b", "/a\\b", "/a{1}"])
def test_path_patterns_nginx_cannot_match_the_same_way_are_refused(pattern: str) -> None:
    with pytest.raises(RoutesError, match="path pattern"):
        path_regex(pattern)


def test_route_takes_the_first_matching_rule_by_priority_else_the_default() -> None:
    web = Forward("web-tg", Fleet("web", "api", "", "/health", 0))
    api = Forward("api-tg", Fleet("api", "service", "api", "/health", 0))
    closed = FixedResponse(403, "text/plain", "no")
    table = RoutingTable(
        listener="l",
        default=web,
        rules=(Rule("closed", 1, ("/api/admin*",), closed), Rule("api", 2, ("/api/*",), api)),
    )
    assert route(table, "/api/admin/users") == closed
    assert route(table, "/api/jobs") == api
    assert route(table, "/api") == web
    assert table.fleets() == [web.fleet, api.fleet]
