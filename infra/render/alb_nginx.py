"""nginx as the ALB's local stand-in: a routing table (``alb_routes``) and the addresses of
the processes that play each fleet, rendered with ``templates/nginx/alb_stand_in.conf.j2``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from infra.render.alb_routes import (
    Action,
    FixedResponse,
    Forward,
    HeaderMatch,
    Redirect,
    RoutesError,
    RoutingTable,
    path_regex,
)
from infra.render.nginx import Upstream, parse_listen
from infra.render.templates import environment

TEMPLATE = "alb_stand_in.conf.j2"


@dataclass(frozen=True)
class StandInOptions:
    stack: str
    table: RoutingTable
    servers: dict[str, tuple[Upstream, ...]]  # by fleet name: the processes that play it
    listen: str  # HOST:PORT
    runtime_dir: str  # pid, logs and temp paths
    max_body: str = "1m"
    kind: str = "alb-stand-in"
    # The value the rules' http-header condition takes here, in place of the Plan's
    # (redacted) secret: the CDN stand-in sends it as CloudFront does.
    header_value: str | None = None


def rule_regex(paths: tuple[str, ...]) -> str:
    """One anchored regex matching any of a rule's path patterns."""
    if len(paths) == 1:
        return path_regex(paths[0])
    return "^(?:" + "|".join(path_regex(path)[1:-1] for path in paths) + ")$"


def upstream_name(fleet: str) -> str:
    return "fleet_" + re.sub(r"[^A-Za-z0-9_]", "_", fleet)


HEADER_VALUE = re.compile(r"[A-Za-z0-9_-]{16,128}")


def _header_condition(options: StandInOptions) -> HeaderMatch | None:
    """The one http-header condition the rules share, with the local value; RoutesError
    when rules differ, or a header-less path rule would come after a header rule (nginx
    answers a header rule's failed match with the default action at once, which is the
    ALB's answer only when no later header-less rule could match)."""
    rules = options.table.rules
    found = {rule.header for rule in rules if rule.header is not None}
    if not found:
        return None
    if len(found) > 1:
        raise RoutesError("the stand-in supports one http-header condition shared by the rules")
    (header,) = found
    last_plain = max((r.priority for r in rules if r.header is None), default=0)
    first_header = min(r.priority for r in rules if r.header is not None)
    if last_plain > first_header:
        raise RoutesError("a rule without the header condition comes after one with it")
    headed_only = [r for r in rules if r.header is not None and not r.paths]
    if len(headed_only) > 1 or (headed_only and headed_only[0] is not rules[-1]):
        raise RoutesError("a rule on the header alone must be the last rule")
    if options.header_value is None or not HEADER_VALUE.fullmatch(options.header_value):
        raise RoutesError(
            f"the rules require the {header.name} header: give the stand-in its value "
            "(16-128 letters, digits, _ or -)"
        )
    return HeaderMatch(header.name, (options.header_value,))


def render_stand_in(options: StandInOptions) -> str:
    """A complete nginx.conf routing like the Plan's traffic listener."""
    table = options.table
    header = _header_condition(options)
    fleets = table.fleets()
    for fleet in fleets:
        if not options.servers.get(fleet.name):
            raise ValueError(f"no process plays fleet {fleet.name}")
    upstreams = [
        {
            "name": upstream_name(fleet.name),
            "fleet": fleet.name,
            "target_group": next(
                action.target_group
                for action in (table.default, *(rule.action for rule in table.rules))
                if isinstance(action, Forward) and action.fleet == fleet
            ),
            "servers": options.servers[fleet.name],
        }
        for fleet in fleets
    ]
    locations = [
        {
            "rule": rule.name,
            "priority": rule.priority,
            "paths": rule.paths,
            "regex": rule_regex(rule.paths),
            "checked": rule.header is not None,
            **_action(rule.action),
        }
        for rule in table.rules
        if rule.paths
    ]
    catch_all = next((rule for rule in table.rules if not rule.paths), None)
    return (
        environment("nginx")
        .get_template(TEMPLATE)
        .render(
            o=options,
            stack=options.stack,
            listener=table.listener,
            listen=parse_listen(options.listen),
            upstreams=upstreams,
            locations=locations,
            default=_action(table.default),
            header=header,
            header_variable="$http_" + header.name.lower().replace("-", "_") if header else "",
            catch_all=(
                {
                    "rule": catch_all.name,
                    "priority": catch_all.priority,
                    **_action(catch_all.action),
                }
                if catch_all
                else None
            ),
        )
    )


def _action(action: Action) -> dict[str, Any]:
    if isinstance(action, Redirect):
        port = "" if action.port in ("443", "#{port}") else f":{action.port}"
        return {
            "upstream": None,
            "redirect": f"https://$host{port}$request_uri",
            "status": action.status,
        }
    if isinstance(action, FixedResponse):
        return {
            "upstream": None,
            "status": action.status,
            "content_type": action.content_type,
            "body": action.body,  # plain text, checked by alb_routes
            "redirect": None,
        }
    return {"upstream": upstream_name(action.fleet.name), "redirect": None}
