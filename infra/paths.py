"""Where gm-infra keeps its working data: ``.gm-infra/`` (state, history, emulator pid).

``GM_INFRA_HOME`` moves it (tests, the demo); ``GM_INFRA_STACKS_DIR`` moves the stack files.
"""

from __future__ import annotations

import os
from pathlib import Path

from infra.stack_files import REPO_ROOT, STACKS_DIR


def data_dir() -> Path:
    """The root of gm-infra's working data (not committed)."""
    return Path(os.environ.get("GM_INFRA_HOME") or REPO_ROOT / ".gm-infra")


def state_dir() -> Path:
    return data_dir() / "state"


def history_dir() -> Path:
    return data_dir() / "history"


def stacks_dir(override: Path | None = None) -> Path:
    """``--stacks-dir``, else ``GM_INFRA_STACKS_DIR``, else ``infra/stacks``."""
    if override is not None:
        return override
    env = os.environ.get("GM_INFRA_STACKS_DIR")
    return Path(env) if env else STACKS_DIR


def findings_cache_dir() -> Path:
    """The judges' findings, by template content and judge version (``infra/validate/cache.py``)."""
    return data_dir() / "cache" / "findings"
