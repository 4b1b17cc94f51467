"""The one jinja environment the renderers share: ``templates/<folder>``, strict, no escaping."""

from __future__ import annotations

import functools
from pathlib import Path

import jinja2

TEMPLATES_ROOT = Path(__file__).resolve().parents[2] / "templates"


@functools.cache  # compiled templates are reused: the program renders every role's user data
def template_environment(folder: str) -> jinja2.Environment:
    """Templates under ``templates/<folder>``.

    StrictUndefined: a missing variable fails the render instead of writing an empty
    string into a boot script. No autoescape: the output is shell, YAML and nginx
    configuration, not HTML.
    """
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_ROOT / folder),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
