"""Instance classes and node types that exist, per region, with the nearest to a typo.

RDS (for MariaDB) and ElastiCache from cfn-lint's own per-region data (its schema
extensions, generated from AWS's pricing and offering APIs); EC2 from botocore's EC2 model.
cfn-lint itself catches RDS classes and EC2 types on the template but not cache node types,
and no tool names the nearest valid value: this does, for all three (GM-LIMIT-CLASS).
"""

from __future__ import annotations

import difflib
import json
from functools import cache
from importlib import resources

EXTENSIONS = "cfnlint.data.schemas.extensions"


def _extension(package: str, name: str) -> dict[str, object]:
    text = resources.files(f"{EXTENSIONS}.{package}").joinpath(name).read_text()
    data: dict[str, object] = json.loads(text)
    return data


@cache
def cache_node_types(region: str) -> frozenset[str]:
    data = _extension("aws_elasticache_cachecluster", "cachenodetype_enum.json")
    found = data.get(region) or {}
    return frozenset(found.get("enum", []) if isinstance(found, dict) else [])


@cache
def rds_classes(region: str, engine: str = "mariadb") -> frozenset[str]:
    data = _extension("aws_rds_dbinstance", "dbinstanceclass_enum.json")
    regional = data.get(region) or {}
    for rule in regional.get("allOf", []) if isinstance(regional, dict) else []:
        condition = rule.get("if", {}).get("properties", {}).get("Engine", {})
        if condition.get("const") == engine:
            return frozenset(rule["then"]["properties"]["DBInstanceClass"]["enum"])
    return frozenset()


@cache
def ec2_types() -> frozenset[str]:
    import botocore.session

    model = botocore.session.get_session().get_service_model("ec2")
    return frozenset(model.shape_for("InstanceType").enum)


def nearest(value: str, known: frozenset[str], count: int = 3) -> list[str]:
    return difflib.get_close_matches(value, sorted(known), n=count, cutoff=0.6)


def unknown(field: str, value: object, known: frozenset[str], what: str) -> list[str]:
    """One message when ``value`` is not in ``known`` (empty ``known``: no data, no verdict)."""
    if not isinstance(value, str) or not known or value in known:
        return []
    close = nearest(value, known)
    hint = f"; nearest: {', '.join(close)}" if close else ""
    return [f"{field} {value!r} is not {what}{hint}"]
