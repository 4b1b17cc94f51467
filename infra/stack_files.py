"""Stack config files: ``infra/stacks/Pulumi.<stack>.yaml``, as ``pulumi`` itself reads them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from infra.errors import BadInputError
from infra.paths import project
from infra.paths import stacks_dir as default_stacks_dir
from infra.project import PROJECT_NAME as PROJECT

if TYPE_CHECKING:  # the settings models (pydantic) load only when a stack is read
    from infra.settings import Settings

DEFAULT_REGION = "us-east-1"
STACK_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


def stack_file(stack: str, stacks_dir: Path | None = None) -> Path:
    """The stack's file in ``stacks_dir`` (default: the project's, ``infra/paths.py``)."""
    if not STACK_NAME.match(stack):
        raise BadInputError(
            f"stack name {stack!r} is not allowed: letters, digits, '-', '_' and '.' only"
        )
    return (stacks_dir or default_stacks_dir()) / f"Pulumi.{stack}.yaml"


def known_stacks(stacks_dir: Path | None = None) -> list[str]:
    folder = stacks_dir or default_stacks_dir()
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in folder.glob("Pulumi.*.yaml"))


def read_stack_config(stack: str, stacks_dir: Path | None = None) -> dict[str, Any]:
    """The ``config:`` map of a stack file (namespaced keys, as written)."""
    path = stack_file(stack, stacks_dir)
    if not path.exists():
        known = ", ".join(known_stacks(stacks_dir)) or "none"
        shown = _shown(path)
        raise BadInputError(
            f"stack {stack!r} has no config file {shown}",
            hint=f"known stacks: {known}; `gm-infra phase N --stack {stack}` creates one",
        )
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as error:
        raise BadInputError(f"{path.name} is not valid YAML: {error}") from None
    except OSError as error:
        raise BadInputError(f"cannot read {path}: {error.strerror}") from None
    config = data.get("config") if isinstance(data, dict) else None
    if not isinstance(config, dict):
        raise BadInputError(
            f"{path.name} has no 'config:' map", hint="see infra/stacks/Pulumi.phase1.yaml"
        )
    return config


def settings_for_stack(stack: str, stacks_dir: Path | None = None) -> Settings:
    from infra.settings import settings_from_config

    return settings_from_config(stack, read_stack_config(stack, stacks_dir))


def settings_for_phase(phase: int, region: str = DEFAULT_REGION) -> Settings:
    """The bare phase profile, as a stack named ``phaseN`` in the default region."""
    from infra.settings import settings_from_config

    return settings_from_config(f"phase{phase}", {f"{PROJECT}:phase": phase, "aws:region": region})


def write_stack_config(stack: str, config: dict[str, Any], stacks_dir: Path | None = None) -> Path:
    """Write a stack file the way ``pulumi config set`` would lay it out."""
    path = stack_file(stack, stacks_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".yaml.tmp")
    tmp.write_text(yaml.safe_dump({"config": config}, sort_keys=True))
    tmp.replace(path)
    return path


def _shown(path: Path) -> Path | str:
    """The path relative to the project when inside it (outside any project: as given)."""
    try:
        return project().shown(path)
    except BadInputError:
        return path
