"""Content-addressed plan cache: a plan is a pure function of its inputs.

The key covers everything the program reads: the validated settings, every source file
of the program and its templates, the app archive, and the Pulumi SDK versions. Any
change gives a new key; ``GM_INFRA_PLAN_CACHE=0`` turns the cache off. Entries live in the
working data (``GM_INFRA_HOME`` or ``<project>/.gm-infra``, ``infra/paths.py``).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from infra.artifact_archive import build_app_archive
from infra.paths import plan_cache_dir
from infra.plan.model import Plan
from infra.settings import Settings

SOURCE_GLOBS = ("infra/**/*.py", "infra/**/*.yaml", "templates/**/*")
PACKAGES = ("pulumi", "pulumi-aws", "pulumi-random")


def cache_enabled() -> bool:
    return os.environ.get("GM_INFRA_PLAN_CACHE", "1") not in {"0", "false", "no"}


def plan_key(settings: Settings, repo_root: Path) -> str:
    digest = hashlib.sha256()
    digest.update(settings.model_dump_json().encode())
    for pattern in SOURCE_GLOBS:
        for path in sorted(repo_root.glob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(repo_root).as_posix().encode())
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    # Also (re)writes the archive the plan points at, so a cached plan's asset exists.
    digest.update(build_app_archive(repo_root).sha256.encode())
    for package in PACKAGES:
        digest.update(f"{package}=={metadata.version(package)}".encode())
    return digest.hexdigest()


def load_cached(key: str, folder: Path | None = None) -> Plan | None:
    path = (folder or plan_cache_dir()) / f"{key}.json"
    if not path.exists():
        return None
    try:
        return Plan.load(path)
    except Exception:  # a damaged cache entry is just a miss
        return None


def store(key: str, plan: Plan, folder: Path | None = None) -> None:
    path = (folder or plan_cache_dir()) / f"{key}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(plan.to_json())
    tmp.replace(path)


def through_cache(
    settings: Settings, repo_root: Path, record: Callable[[Settings, Path], Plan]
) -> Plan:
    """The cached plan of ``settings``, else ``record`` it and keep it. ``record`` is passed
    in so a caller can import pulumi (about a second) only when the cache misses."""
    if not cache_enabled():
        return record(settings, repo_root)
    key = plan_key(settings, repo_root)
    found = load_cached(key)
    if found is not None:
        return found
    plan = record(settings, repo_root)
    store(key, plan)
    return plan
