"""Small pure helpers that turn Pulumi wire values into CloudFormation property values."""

from __future__ import annotations

import json
from typing import Any


def pascal(key: str) -> str:
    """``healthCheckType`` -> ``HealthCheckType`` (the CloudFormation default spelling)."""
    return key[:1].upper() + key[1:]


def pascal_keys(value: Any) -> Any:
    """Every mapping key PascalCased, recursively (lists of mappings too)."""
    if isinstance(value, dict):
        return {pascal(k): pascal_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [pascal_keys(v) for v in value]
    return value


def cfn_tags(tags: Any) -> list[dict[str, Any]]:
    """Pulumi's ``{"k": "v"}`` tags as CloudFormation's ``[{"Key": k, "Value": v}]``."""
    if not isinstance(tags, dict):
        return []
    return [{"Key": str(k), "Value": str(v)} for k, v in sorted(tags.items())]


def boolean(value: Any) -> Any:
    """The provider takes some booleans as strings (``"true"``); CloudFormation wants booleans."""
    if isinstance(value, str) and value.lower() in {"true", "false"}:
        return value.lower() == "true"
    return value


def document(value: Any) -> Any:
    """A JSON policy string as the object CloudFormation takes (left alone if not JSON)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def pick(inputs: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """Rename the inputs named in ``names`` (wire name -> CloudFormation name), skip absent ones."""
    return {cfn: inputs[wire] for wire, cfn in names.items() if inputs.get(wire) is not None}


def attributes(values: dict[str, Any]) -> list[dict[str, str]]:
    """ELBv2 ``{"key": value}`` as ``[{"Key", "Value"}]`` with string values, None dropped."""
    out = []
    for key, value in values.items():
        if value is None:
            continue
        text = str(value).lower() if isinstance(value, bool) else str(value)
        out.append({"Key": key, "Value": text})
    return out
