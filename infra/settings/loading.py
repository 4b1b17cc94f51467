"""From a stack's namespaced config map to ``Settings``: profile merge, validation, errors.

Everything downstream reads ``Settings``; nothing reads ``pulumi.Config``. A bad value
fails here with a ``SettingsError`` naming the key, the value and what is allowed,
before any resource is declared.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic.alias_generators import to_camel

from infra.errors import SettingsError
from infra.settings.models import PHASES, PROJECT, REGION, Settings, StackConfig
from infra.settings.namespaces import check_namespace, nearest, unknown_key_hint
from infra.settings.rules import check_certificates, check_phase_rules
from infra.settings.validators import KeyedError

PROFILES_FILE = Path(__file__).resolve().parent.parent / "phases" / "profiles.yaml"
_STACK_HINT = "each stack's infra/stacks/Pulumi.<stack>.yaml sets green-matchers:phase"
# The profile fills name and capacity; a stack cannot set them.
PROFILE_ONLY_KEYS = ("name", "capacity")
TOP_LEVEL_KEYS = (
    "phase",
    *(to_camel(name) for name in StackConfig.model_fields if name not in PROFILE_ONLY_KEYS),
)
# The first phase each optional section exists in (its profile value is null before).
SECTION_STARTS = {"workers": 2, "services": 4}


@cache
def phase_profiles() -> dict[int, dict[str, Any]]:
    """The phase profiles as loaded from ``phases/profiles.yaml``."""
    data = yaml.safe_load(PROFILES_FILE.read_text())
    return {int(phase): profile for phase, profile in data.items()}


def settings_from_config(stack: str, config: dict[str, Any]) -> Settings:
    """Build Settings from a stack's namespaced config map (``green-matchers:api`` ...)."""
    own, region = _own_keys(config)
    phase = _phase_of(own.pop("phase", None))
    if region is None or not re.fullmatch(REGION, region):
        raise SettingsError("aws:region", region, "an AWS region such as us-east-1")

    profile = phase_profiles()[phase]
    for section, first_phase in SECTION_STARTS.items():
        if own.get(section) is not None and profile.get(section) is None:
            raise SettingsError(
                f"{PROJECT}:{section}", own[section], f"{section} start in phase {first_phase}"
            )
    merged = _deep_merge(profile, own)
    try:
        stack_config = StackConfig.model_validate(merged)
    except ValidationError as error:
        raise _settings_error(error) from None
    check_phase_rules(phase, stack_config)
    check_certificates(region, stack_config)
    return Settings(project=PROJECT, stack=stack, phase=phase, region=region, config=stack_config)


def _own_keys(config: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """The project's keys (namespace dropped, values parsed) and ``aws:region``."""
    own: dict[str, Any] = {}
    region: str | None = None
    for full_key, raw in config.items():
        namespace, _, key = full_key.partition(":")
        if not key:
            raise SettingsError(
                full_key, raw, "config keys are namespaced, e.g. green-matchers:api"
            )
        check_namespace(full_key, raw)
        if namespace == "aws" and key == "region":
            region = str(raw)
        if namespace != PROJECT:
            continue
        if key not in TOP_LEVEL_KEYS:
            raise SettingsError(
                full_key,
                _parse_value(raw),
                f"known keys are {', '.join(sorted(TOP_LEVEL_KEYS))}",
                hint=unknown_key_hint(key, TOP_LEVEL_KEYS),
            )
        own[key] = _parse_value(raw)
    return own, region


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _parse_value(value: Any) -> Any:
    """Pulumi hands structured config to programs as JSON strings; accept both forms."""
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return yaml.safe_load(value)
        except yaml.YAMLError:
            return value
    return value


def _phase_of(raw: Any) -> int:
    key = f"{PROJECT}:phase"
    if raw is None:
        raise SettingsError(key, None, "a phase from 1 to 4 must be set", hint=_STACK_HINT)
    try:
        phase = int(str(raw))
    except ValueError:
        raise SettingsError(key, raw, "phases run from 1 to 4") from None
    if phase not in PHASES:
        raise SettingsError(key, phase, "phases run from 1 to 4")
    return phase


def _settings_error(error: ValidationError) -> SettingsError:
    """The first validation error as one SettingsError naming the camelCase key path."""
    first = error.errors()[0]
    path = [str(part) for part in first["loc"]]
    ctx_error = (first.get("ctx") or {}).get("error")
    if isinstance(ctx_error, KeyedError):
        path = [*path, ctx_error.key]
        return SettingsError(f"{PROJECT}:{'.'.join(path)}", ctx_error.value, ctx_error.allowed)
    value = first.get("input")
    message = str(first["msg"]).removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        section = section_model(path[:-1])
        names = sorted(to_camel(n) for n in section.model_fields) if section else []
        message = f"unknown key; known keys here are {', '.join(names)}"
        close = nearest(path[-1], names)
        if close:
            return SettingsError(
                f"{PROJECT}:{'.'.join(path)}",
                value,
                message,
                hint=f"did you mean {PROJECT}:{'.'.join([*path[:-1], close])}?",
            )
    elif first["type"] == "missing":
        value = None
        message = "this key is required"
    return SettingsError(f"{PROJECT}:{'.'.join(path)}", value, message)


def section_model(path: list[str]) -> type[BaseModel] | None:
    """The model of the section at a camelCase key path (``["workers"]``), if any."""
    model: type[BaseModel] = StackConfig
    for part in path:
        field = next(
            (f for n, f in model.model_fields.items() if to_camel(n) == part or n == part), None
        )
        if field is None:
            return None
        found = _model_of(field.annotation)
        if found is None:
            return None
        model = found
    return model


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The BaseModel in ``Model`` or ``Model | None``."""
    candidates = [a for a in getattr(annotation, "__args__", (annotation,)) if a is not None]
    return next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)
