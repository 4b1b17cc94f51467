"""Markdown pieces every report over a Plan shares (diff, policy, validate, the PR comment)."""

from __future__ import annotations

import json
from typing import Any


def cell(text: str, limit: int | None = None) -> str:
    """Text safe inside a markdown table cell: pipes escaped, one line, at most ``limit``."""
    flat = text.replace("|", "\\|").replace("\n", " ")
    return flat if limit is None else flat[:limit]


def short(value: Any, limit: int = 60) -> str:
    """A value as one short line: strings as they are, the rest as JSON, cut with an ellipsis."""
    text = value if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
