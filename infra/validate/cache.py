"""Judges' findings cached by what decides them, so an unchanged plan is not judged twice.

A judge's findings are a function of the exported template's bytes, the judge's version
and, for cfn-lint, the region: that is the key (SHA-256), and nothing else is. Waivers are
applied after the cache, so editing ``waivers.yaml`` never needs a fresh run. Entries live in
gm-infra's working data (``infra/paths.findings_cache_dir``: ``.gm-infra/cache/findings``,
or under ``GM_INFRA_HOME``); writes are atomic (a temporary file, then a rename), so
processes sharing the folder never read half an entry. ``GM_INFRA_FINDINGS_CACHE=0`` turns
the cache off.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from pathlib import Path
from typing import Any

from infra.paths import findings_cache_dir
from infra.validate.model import Finding

ENV_SWITCH = "GM_INFRA_FINDINGS_CACHE"


def cache_enabled() -> bool:
    return os.environ.get(ENV_SWITCH, "1").lower() not in {"0", "false", "no"}


def findings_key(judge: str, version: str, template_json: str, region: str = "") -> str:
    """The key of one judge's findings on one template."""
    digest = hashlib.sha256()
    for part in (judge, version, region):
        digest.update(part.encode())
        digest.update(b"\0")
    digest.update(template_json.encode())
    return digest.hexdigest()


def _entry(kind: str, key: str, folder: Path | None) -> Path:
    return (folder or findings_cache_dir()) / kind / f"{key}.json"


def load_value(kind: str, key: str, folder: Path | None = None) -> Any:
    """A cached JSON value, or None on a miss (a damaged entry is a miss too)."""
    if not cache_enabled():
        return None
    try:
        return json.loads(_entry(kind, key, folder).read_text())
    except (OSError, ValueError):
        return None


def store_value(kind: str, key: str, value: Any, folder: Path | None = None) -> None:
    """Keep a JSON value under ``key`` (atomically: a temporary file, then a rename)."""
    if not cache_enabled():
        return
    path = _entry(kind, key, folder)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{uuid.uuid4().hex}.tmp")
        tmp.write_text(json.dumps(value, sort_keys=True))
        tmp.replace(path)
    except OSError:
        pass  # a cache that cannot be written is only slower


def load_findings(judge: str, key: str, folder: Path | None = None) -> list[Finding] | None:
    """The cached findings, or None on a miss (a damaged entry is a miss too)."""
    rows = load_value(judge, key, folder)
    try:
        return None if rows is None else [Finding(**row) for row in rows]
    except TypeError:
        return None


def store_findings(
    judge: str, key: str, findings: list[Finding], folder: Path | None = None
) -> None:
    """Keep ``findings`` (unwaived, as the judge reported them) under ``key``."""
    store_value(judge, key, [f.to_dict() for f in findings], folder)
