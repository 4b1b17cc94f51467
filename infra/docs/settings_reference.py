"""The settings reference: every stack config key with its type, defaults and constraint.

Read from the settings models (field docstrings, constraints) and the phase profiles, so
the documented range is the one enforced and the defaults are the profiles' own.
"""

from __future__ import annotations

import types
import typing
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.alias_generators import to_camel
from pydantic.fields import FieldInfo

from infra.docs.markdown import cell, code, table
from infra.settings import PHASES, StackConfig, phase_profiles
from infra.settings.loading import PROFILE_ONLY_KEYS, SECTION_STARTS
from infra.settings.models import REGION
from infra.settings.validators import Constraint, Matches, OneOf

TYPE_NAMES = {"str": "text", "int": "integer", "float": "number", "bool": "boolean"}
MISSING = object()  # the profile does not set the key
ABSENT = object()  # the section does not exist in that phase (workers: null)


def settings_reference() -> str:
    """One table of every key, ``green-matchers:`` keys as dotted paths (``api.minSize``)."""
    rows = [
        [
            code("aws:region"),
            "text",
            "",
            cell(f"an AWS region such as us-east-1 (pattern {code(REGION)})"),
            "The stack's region (the ALB's; its certificate must be there too).",
        ],
        [
            code("phase"),
            "integer",
            "",
            cell(f"{PHASES[0]} to {PHASES[-1]}"),
            "The growth phase whose profile (infra/phases/profiles.yaml) the stack starts from.",
        ],
    ]
    for name, field in StackConfig.model_fields.items():
        if name not in PROFILE_ONLY_KEYS:
            rows += _rows([to_camel(name)], field)
    return table(["key", "type", "default (phase 1 / 2 / 3 / 4)", "allowed", "description"], rows)


def _rows(path: list[str], field: FieldInfo) -> list[list[str]]:
    key = ".".join(path)
    section = _section(field.annotation)
    description = cell(field.description or "")
    if section is not None:
        starts = SECTION_STARTS.get(key)
        row = [
            code(key),
            "section",
            "",
            cell(f"from phase {starts}") if starts else "",
            description,
        ]
        children = [
            _rows([*path, to_camel(name)], child) for name, child in section.model_fields.items()
        ]
        return [row, *(r for rows in children for r in rows)]
    return [[code(key), _type(field), _defaults(path, field), _allowed(field), description]]


def _section(annotation: Any) -> type[BaseModel] | None:
    for candidate in typing.get_args(annotation) or (annotation,):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _members(field: FieldInfo) -> tuple[list[Any], bool]:
    """The annotation's non-None members and whether None (unset) is allowed."""
    annotation = field.annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members = list(typing.get_args(annotation))
    else:
        members = [annotation]
    optional = type(None) in members
    return [m for m in members if m is not type(None)], optional


def _type(field: FieldInfo) -> str:
    choices = [c for c in _constraints(field) if isinstance(c, OneOf)]
    if choices:
        return " \\| ".join(choices[0].choices)
    members, optional = _members(field)
    names = []
    for member in members:
        base = (
            typing.get_args(member)[0] if typing.get_origin(member) is typing.Annotated else member
        )
        if typing.get_origin(base) is Literal:
            names.append(" \\| ".join(str(choice) for choice in typing.get_args(base)))
        else:
            name = getattr(base, "__name__", str(base))
            names.append(TYPE_NAMES.get(name, name))
    text = " or ".join(names)
    return f"{text}, optional" if optional else text


def _constraints(field: FieldInfo) -> list[Constraint]:
    found = [m for m in field.metadata if isinstance(m, Constraint)]
    for member in _members(field)[0]:
        if typing.get_origin(member) is typing.Annotated:
            found += [m for m in member.__metadata__ if isinstance(m, Constraint)]
    return found


def _allowed(field: FieldInfo) -> str:
    parts = []
    for constraint in _constraints(field):
        allowed = cell(constraint.allowed)
        if isinstance(constraint, Matches):
            allowed = f"{allowed} (pattern {code(constraint.pattern)})"
        parts.append(allowed)
    return "; ".join(parts)


def _defaults(path: list[str], field: FieldInfo) -> str:
    """The value each phase profile gives the key, else the model's default."""
    values = [_profile_value(phase_profiles()[phase], path) for phase in PHASES]
    shown = []
    for value in values:
        if value is MISSING:
            value = None if field.is_required() else field.default
        shown.append(_shown(value))
    if len(set(shown)) == 1:
        return code(shown[0])
    return " / ".join(code(s) for s in shown)


def _profile_value(profile: dict[str, Any], path: list[str]) -> Any:
    value: Any = profile
    for part in path:
        if value is None:
            return ABSENT
        if not isinstance(value, dict) or part not in value:
            return MISSING
        value = value[part]
    return value


def _shown(value: Any) -> str:
    if value is ABSENT:
        return "-"
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return "true" if value else "false"  # as YAML spells it
    return str(value)
