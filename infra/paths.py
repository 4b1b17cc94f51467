"""Where gm-infra reads and writes: all of it in the project you stand in.

- the project: the nearest ``Pulumi.yaml`` from the working directory up (``infra/project.py``);
- stack files: ``--stacks-dir``, else ``GM_INFRA_STACKS_DIR``, else the project's
  ``stackConfigDir`` (``infra/stacks``);
- working data (state, history, locks, plan cache, emulator pid, rehearsal stacks):
  ``GM_INFRA_HOME`` when set, else ``<project>/.gm-infra``. ``GM_INFRA_HOME`` moves only the
  working data; it never chooses the project (give each project its own).
"""

from __future__ import annotations

import os
from pathlib import Path

from infra.project import Project, find_project


def project() -> Project:
    """The project of the working directory (exit 2, one line, outside any project)."""
    return find_project()


def data_dir() -> Path:
    """The root of gm-infra's working data (not committed)."""
    home = os.environ.get("GM_INFRA_HOME")
    return Path(home) if home else project().root / ".gm-infra"


def state_dir() -> Path:
    return data_dir() / "state"


def history_dir() -> Path:
    return data_dir() / "history"


def locks_dir() -> Path:
    return data_dir() / "locks"


def plan_cache_dir() -> Path:
    return data_dir() / "cache" / "plans"


def stacks_dir(override: Path | None = None) -> Path:
    """``--stacks-dir``, else ``GM_INFRA_STACKS_DIR``, else the project's stack folder."""
    if override is not None:
        return override
    env = os.environ.get("GM_INFRA_STACKS_DIR")
    return Path(env) if env else project().stacks_dir


def findings_cache_dir() -> Path:
    """The judges' findings, by template content and judge version (``infra/validate/cache.py``)."""
    return data_dir() / "cache" / "findings"
