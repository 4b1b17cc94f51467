"""The project gm-infra works on: the nearest ``Pulumi.yaml`` from the working directory up.

As the Pulumi CLI does, gm-infra works on the project you stand in, not on the folder it was
installed from: stack files (``stackConfigDir``), the program that plans them and, unless
``GM_INFRA_HOME`` moves them, the working data (``.gm-infra/``) all belong to that project.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from infra.errors import BadInputError

PROJECT_FILE = "Pulumi.yaml"
PROJECT_NAME = "green-matchers"
# The checkout (or install) whose ``infra`` package is running.
INSTALL_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Project:
    root: Path
    stacks_dir: Path

    @property
    def is_install(self) -> bool:
        """True when the running ``infra`` package is this project's own program."""
        return self.root == INSTALL_ROOT

    def shown(self, path: Path) -> str:
        """``path`` relative to the project when it lies inside it (for messages)."""
        return str(path.relative_to(self.root)) if path.is_relative_to(self.root) else str(path)


def find_project(start: Path | None = None) -> Project:
    """The project whose ``Pulumi.yaml`` is nearest to ``start`` (the working directory)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / PROJECT_FILE
        if candidate.is_file():
            return _load(candidate)
    raise BadInputError(
        f"not inside a {PROJECT_NAME} project: no {PROJECT_FILE} in {here} or any folder above",
        hint="cd into a clone of the green-matchers repository",
    )


def _load(path: Path) -> Project:
    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as error:
        raise BadInputError(f"cannot read {path}: {error}") from None
    if not isinstance(data, dict) or data.get("name") != PROJECT_NAME:
        name = data.get("name") if isinstance(data, dict) else None
        raise BadInputError(
            f"{path} is Pulumi project {name!r}, not {PROJECT_NAME!r}",
            hint="cd into a clone of the green-matchers repository",
        )
    root = path.parent
    config_dir = data.get("stackConfigDir") or "."
    return Project(root=root, stacks_dir=(root / str(config_dir)).resolve())
