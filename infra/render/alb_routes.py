"""An ALB listener as a routing table (rules by priority, then the default action), and the
ALB's path-pattern semantics. ``infra/plan/listener.py`` reads one from a Plan;
``alb_nginx.py`` renders it as nginx, the ALB's stand-in for ``gm-infra app stack``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# What an ALB path pattern may hold (AWS: A-Z a-z 0-9 _ - . $ / ~ " ' @ : + & * ?), less the
# quotes, which the stand-in does not support.
PATH_PATTERN = re.compile(r"/[A-Za-z0-9_.$/~@:+&*?-]*")
PLAIN_TEXT = re.compile(r"[A-Za-z0-9 _.,:;/()!?+=@#%-]*")


class RoutesError(ValueError):
    """The Plan's listener cannot be turned into a routing table; the message names why."""


@dataclass(frozen=True)
class Fleet:
    """An auto-scaling group behind a target group, and what its instances run."""

    name: str  # the group's Name tag, e.g. gm-services-matching
    role: str  # boot.json role: api, service
    service: str  # boot.json service_name; empty: the whole app
    health_path: str  # the target group's health check
    shards: int  # database shards the instances are given (0: none)


@dataclass(frozen=True)
class Forward:
    target_group: str
    fleet: Fleet


@dataclass(frozen=True)
class FixedResponse:
    status: int
    content_type: str
    body: str


@dataclass(frozen=True)
class Redirect:
    """The HTTP listener's redirect to HTTPS (status 301 or 302, to ``port``)."""

    status: int
    port: str


Action = Forward | FixedResponse | Redirect


@dataclass(frozen=True)
class HeaderMatch:
    """An http-header condition: the header holds one of ``values`` (case-insensitive name)."""

    name: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Rule:
    name: str
    priority: int
    paths: tuple[str, ...]  # empty: any path (a rule on a header alone)
    action: Action
    header: HeaderMatch | None = None


@dataclass(frozen=True)
class RoutingTable:
    listener: str
    default: Action
    rules: tuple[Rule, ...]  # lowest priority number first, as the ALB evaluates them

    def fleets(self) -> list[Fleet]:
        """Every fleet traffic can reach, the default action's first, each once."""
        found: list[Fleet] = []
        for action in (self.default, *(rule.action for rule in self.rules)):
            if isinstance(action, Forward) and action.fleet not in found:
                found.append(action.fleet)
        return found


def path_regex(pattern: str) -> str:
    """An ALB path pattern as an anchored regular expression (PCRE and Python alike).

    ALB patterns are case sensitive and match the whole path: ``*`` is any run of
    characters (``/`` included) and ``?`` exactly one character.
    """
    if not PATH_PATTERN.fullmatch(pattern):
        raise RoutesError(
            f"path pattern {pattern!r} is not supported: it must start with / and hold only "
            "letters, digits and _ - . $ / ~ @ : + & * ?"
        )
    parts = [".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern]
    return "^" + "".join(parts) + "$"


def route(table: RoutingTable, path: str, headers: dict[str, str] | None = None) -> Action:
    """What the ALB does with a request for ``path`` carrying ``headers``: the first rule
    whose conditions all match, by priority, else the listener's default action."""
    given = {k.lower(): v for k, v in (headers or {}).items()}
    for rule in table.rules:
        if rule.paths and not any(re.fullmatch(path_regex(p), path) for p in rule.paths):
            continue
        if rule.header and given.get(rule.header.name.lower()) not in rule.header.values:
            continue
        return rule.action
    return table.default
