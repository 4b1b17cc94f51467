"""The one jinja environment every rendered file uses (nginx configs, user data).

Strict (an undefined variable is an error, not an empty string), no HTML escaping (these
are shell scripts and configs), and block tags leave no blank lines. ``templates/`` ships
beside ``infra/`` (pyproject's package data), so a plain install renders like a clone.
"""

from __future__ import annotations

import functools
from pathlib import Path

import jinja2

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@functools.cache  # compiled templates are reused: settings render every role to check its size
def environment(folder: str) -> jinja2.Environment:
    """The environment for ``templates/<folder>`` (``nginx``, ``userdata``)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES / folder),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
