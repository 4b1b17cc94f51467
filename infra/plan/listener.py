"""The ALB's traffic listener of a Plan as a routing table (``infra/render/alb_routes.py``).

The traffic listener is the one whose default action forwards (with HTTPS, the HTTP
listener only redirects). Its rules are read in priority order; each forward target group
is followed to the auto-scaling group that registers into it, and that group's launch
template user data says what its instances run (``boot.json``: role and SERVICE_NAME).
Nothing here knows the phase-4 paths: change the rules in the program and this follows.
"""

from __future__ import annotations

import base64
import itertools
import json
import re

from infra.plan.model import Plan, PlannedResource
from infra.render.alb_routes import (
    PLAIN_TEXT,
    Action,
    FixedResponse,
    Fleet,
    Forward,
    HeaderMatch,
    Redirect,
    RoutesError,
    RoutingTable,
    Rule,
    path_regex,
)
from infra.render.userdata import extract_files

LISTENER = "aws:lb/listener:Listener"
RULE = "aws:lb/listenerRule:ListenerRule"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
GROUP = "aws:autoscaling/group:Group"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
BOOT_JSON = "/etc/green-matchers/boot.json"


def routing_table(plan: Plan) -> RoutingTable:
    """The traffic listener's default action and rules, in the order the ALB applies them."""
    listener = _traffic_listener(plan)
    groups = plan.of_type(GROUP)
    target_groups = plan.of_type(TARGET_GROUP)
    rules = [
        _rule(resource, groups, target_groups, plan)
        for resource in plan.of_type(RULE)
        if listener.urn in resource.dependencies
    ]
    rules.sort(key=lambda rule: rule.priority)
    for first, second in itertools.pairwise(rules):
        if first.priority == second.priority:
            raise RoutesError(
                f"rules {first.name} and {second.name} share priority {first.priority}"
            )
    actions = listener.inputs.get("defaultActions") or []
    if len(actions) != 1:
        raise RoutesError(f"listener {listener.name} has {len(actions)} default actions, not 1")
    default = _action(listener.name, actions[0], groups, target_groups, plan)
    return RoutingTable(listener=listener.name, default=default, rules=tuple(rules))


def _traffic_listener(plan: Plan) -> PlannedResource:
    """The listener that forwards: by its default action or by its rules (the others only
    redirect to HTTPS)."""
    rules = plan.of_type(RULE)
    forwarding = [
        listener
        for listener in plan.of_type(LISTENER)
        if any(a.get("type") == "forward" for a in listener.inputs.get("defaultActions") or [])
        or any(listener.urn in rule.dependencies for rule in rules)
    ]
    if len(forwarding) != 1:
        names = ", ".join(r.name for r in forwarding) or "none"
        raise RoutesError(
            f"the plan of {plan.stack} has {len(forwarding)} listeners that forward ({names}); "
            "the stand-in needs exactly one"
        )
    return forwarding[0]


def _rule(
    resource: PlannedResource,
    groups: list[PlannedResource],
    target_groups: list[PlannedResource],
    plan: Plan,
) -> Rule:
    conditions = resource.inputs.get("conditions") or []
    paths: list[str] = []
    header: HeaderMatch | None = None
    for condition in conditions:
        other = sorted(key for key in condition if key not in ("pathPattern", "httpHeader"))
        if other:
            raise RoutesError(
                f"rule {resource.name} has a {other[0]} condition; the stand-in routes on "
                "path patterns and http headers only"
            )
        if "pathPattern" in condition:
            paths.extend(condition["pathPattern"].get("values") or [])
        if "httpHeader" in condition:
            if header is not None:
                raise RoutesError(f"rule {resource.name} has two http-header conditions")
            found = condition["httpHeader"]
            header = HeaderMatch(
                str(found.get("httpHeaderName", "")), tuple(found.get("values") or ())
            )
    if not paths and header is None:
        raise RoutesError(f"rule {resource.name} has no path pattern and no header condition")
    for path in paths:
        path_regex(path)  # refuse what nginx could not match the same way
    actions = resource.inputs.get("actions") or []
    if len(actions) != 1:
        raise RoutesError(f"rule {resource.name} has {len(actions)} actions; 1 is supported")
    return Rule(
        name=resource.name,
        priority=int(resource.inputs["priority"]),
        paths=tuple(paths),
        action=_action(resource.name, actions[0], groups, target_groups, plan),
        header=header,
    )


def _action(
    owner: str,
    action: dict[str, object],
    groups: list[PlannedResource],
    target_groups: list[PlannedResource],
    plan: Plan,
) -> Action:
    kind = action.get("type")
    if kind == "forward":
        arn = action.get("targetGroupArn")
        if not isinstance(arn, str):
            raise RoutesError(f"{owner} forwards without a single targetGroupArn")
        return Forward(_target_group_name(arn), _fleet(owner, arn, groups, target_groups, plan))
    if kind == "fixed-response":
        fixed = action.get("fixedResponse")
        if not isinstance(fixed, dict):
            raise RoutesError(f"{owner} has a fixed-response action without fixedResponse")
        body = str(fixed.get("messageBody", ""))
        if not PLAIN_TEXT.fullmatch(body):
            raise RoutesError(f"{owner}: fixed response body {body!r} is not plain text")
        content_type = str(fixed.get("contentType", "text/plain"))
        if not re.fullmatch(r"[a-z]+/[a-z0-9.+-]+", content_type):
            raise RoutesError(f"{owner}: content type {content_type!r} is not type/subtype")
        return FixedResponse(int(str(fixed["statusCode"])), content_type, body)
    if kind == "redirect":
        redirect = action.get("redirect")
        if not isinstance(redirect, dict) or redirect.get("protocol") != "HTTPS":
            raise RoutesError(f"{owner} redirects elsewhere than to HTTPS")
        code = str(redirect.get("statusCode", "HTTP_301"))
        return Redirect(301 if code == "HTTP_301" else 302, str(redirect.get("port", "443")))
    raise RoutesError(
        f"{owner} has a {kind!r} action; the stand-in supports forward, fixed-response and "
        "the redirect to HTTPS"
    )


def _target_group_name(arn: str) -> str:
    """``arn:...:targetgroup/NAME/ID`` -> NAME (the ARN form the ALB uses)."""
    match = re.search(r":targetgroup/([^/]+)/", arn)
    if not match:
        raise RoutesError(f"{arn!r} is not a target group ARN")
    return match.group(1)


def _fleet(
    owner: str,
    arn: str,
    groups: list[PlannedResource],
    target_groups: list[PlannedResource],
    plan: Plan,
) -> Fleet:
    members = [g for g in groups if arn in (g.inputs.get("targetGroupArns") or [])]
    if len(members) != 1:
        raise RoutesError(
            f"{owner} forwards to {_target_group_name(arn)}, which {len(members)} auto-scaling "
            "groups register into; the stand-in needs exactly one"
        )
    group = members[0]
    boot = _boot_config(group, plan)
    tags = {tag["key"]: tag["value"] for tag in group.inputs.get("tags") or []}
    target_group = [tg for tg in target_groups if tg.urn in group.dependencies]
    health = target_group[0].inputs.get("healthCheck", {}) if target_group else {}
    return Fleet(
        name=str(tags.get("Name", group.name)),
        role=str(boot.get("role", "")),
        service=str(boot.get("service_name") or ""),
        health_path=str(health.get("path") or "/"),
        shards=len(shards) if isinstance(shards := boot.get("shards"), list) else 0,
    )


def _boot_config(group: PlannedResource, plan: Plan) -> dict[str, object]:
    """boot.json of the group's launch template (the group depends on its template)."""
    by_urn = plan.by_urn()
    templates = [
        by_urn[urn]
        for urn in group.dependencies
        if urn in by_urn and by_urn[urn].type == LAUNCH_TEMPLATE
    ]
    if len(templates) != 1:
        raise RoutesError(f"auto-scaling group {group.name} has no single launch template")
    encoded = templates[0].inputs.get("userData")
    if not isinstance(encoded, str):
        raise RoutesError(f"launch template {templates[0].name} has no user data")
    files = extract_files(base64.b64decode(encoded).decode())
    if BOOT_JSON not in files:
        raise RoutesError(f"the user data of {templates[0].name} embeds no {BOOT_JSON}")
    config: dict[str, object] = json.loads(files[BOOT_JSON])
    return config
