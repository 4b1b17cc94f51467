"""Where the real engine keeps a stack's config: the one place that reads Pulumi's config."""

from __future__ import annotations

from typing import Any

from pulumi.runtime.config import CONFIG, get_config_env


def engine_config() -> dict[str, Any]:
    """Every config key the engine passed to this program (``project:key`` -> value)."""
    return {**get_config_env(), **CONFIG.get()}
