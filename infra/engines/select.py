"""Pick an engine by name: ``local`` (emulator on loopback) or ``pulumi`` (real AWS)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from infra.engines.base import Engine


class EngineName(StrEnum):
    local = "local"
    pulumi = "pulumi"


def engine_for(name: EngineName, stacks_dir: Path, endpoint_url: str | None = None) -> Engine:
    if name is EngineName.pulumi:
        from infra.engines.pulumi_engine import PulumiEngine

        return PulumiEngine(stacks_dir)
    from infra.emulator.endpoint import resolve_endpoint
    from infra.engines.local import LocalEngine

    return LocalEngine(resolve_endpoint(endpoint_url))
