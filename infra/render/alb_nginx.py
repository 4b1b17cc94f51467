"""nginx as the ALB's local stand-in: a routing table (``alb_routes``) and the addresses of
the processes that play each fleet, rendered with ``templates/nginx/alb_stand_in.conf.j2``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from infra.render.alb_routes import Action, FixedResponse, Forward, RoutingTable, path_regex
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


def rule_regex(paths: tuple[str, ...]) -> str:
    """One anchored regex matching any of a rule's path patterns."""
    if len(paths) == 1:
        return path_regex(paths[0])
    return "^(?:" + "|".join(path_regex(path)[1:-1] for path in paths) + ")$"


def upstream_name(fleet: str) -> str:
    return "fleet_" + re.sub(r"[^A-Za-z0-9_]", "_", fleet)


def render_stand_in(options: StandInOptions) -> str:
    """A complete nginx.conf routing like the Plan's traffic listener."""
    table = options.table
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
            **_action(rule.action),
        }
        for rule in table.rules
    ]
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
        )
    )


def _action(action: Action) -> dict[str, Any]:
    if isinstance(action, FixedResponse):
        return {
            "upstream": None,
            "status": action.status,
            "content_type": action.content_type,
            "body": action.body,  # plain text, checked by alb_routes
        }
    return {"upstream": upstream_name(action.fleet.name)}
