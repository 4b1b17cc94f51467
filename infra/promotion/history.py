"""Per-stack promotion history: ``.gm-infra/history/<stack>.jsonl``, one line a promotion."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from infra.paths import history_dir


@dataclass(frozen=True)
class HistoryEntry:
    time: str
    stack: str
    from_phase: int
    to_phase: int
    engine: str
    result: str
    detail: str = ""


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def history_file(stack: str) -> Path:
    return history_dir() / f"{stack}.jsonl"


def record(entry: HistoryEntry) -> Path:
    path = history_file(entry.stack)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as out:
        out.write(json.dumps(asdict(entry), sort_keys=True) + "\n")
    return path


def read_history(stack: str) -> list[dict[str, Any]]:
    path = history_file(stack)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
