"""The app's environment reference, generated from ``Settings`` for app/README.md.

Names, types, defaults and bounds come from the model; the notes are the comments beside
and above each field in ``app/core/settings.py``, where the code keeps them. Run as
``python -m app.core.settings_reference`` to print the block; ``gm-infra docs --write``
puts it in app/README.md (infra runs it as a process: it does not import the app).
"""

from __future__ import annotations

import ast
import io
import tokenize
import types
import typing
from pathlib import Path
from typing import Any, Literal

from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from app.core import settings as settings_module
from app.core.settings import Settings

TYPE_NAMES = {"str": "text", "int": "integer", "float": "number", "bool": "boolean", "Path": "path"}
# Field(ge=1, le=4) leaves annotated_types.Ge(ge=1), Le(le=4) in the field metadata.
BOUNDS = (("ge", "≥"), ("gt", ">"), ("le", "≤"), ("lt", "less than"))


def environment_reference() -> str:
    """A Markdown table: one row per variable, a bold row for each comment above a field."""
    source = Path(settings_module.__file__).read_text()
    comments = _comments(source)
    lines = source.splitlines()
    rows = ["| variable | type | default | allowed | note |", "|---|---|---|---|---|"]
    for name, line in _field_lines(source):
        above = _comment_block_above(comments, lines, line)
        if above:
            rows.append(f"| **{_cell(above)}** | | | | |")
        field = Settings.model_fields[name]
        rows.append(
            f"| `{name.upper()}` | {_cell(_type(field))} | {_default(field)} | "
            f"{_bounds(field)} | {_cell(comments.get(line, ''))} |"
        )
    return "\n".join(rows)


def _comments(source: str) -> dict[int, str]:
    """Comment text by line number (without the ``#``)."""
    found = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            found[token.start[0]] = token.string.lstrip("#").strip()
    return found


def _field_lines(source: str) -> list[tuple[str, int]]:
    """``(field, line)`` for each annotated field of ``class Settings``, in source order."""
    tree = ast.parse(source)
    body = next(
        node.body
        for node in tree.body
        if isinstance(node, ast.ClassDef) and node.name == "Settings"
    )
    return [
        (node.target.id, node.lineno)
        for node in body
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
    ]


def _comment_block_above(comments: dict[int, str], lines: list[str], line: int) -> str:
    """The whole-line comments directly above ``line`` (1-based), joined."""
    block: list[str] = []
    above = line - 1
    while above in comments and lines[above - 1].lstrip().startswith("#"):
        block.insert(0, comments[above])
        above -= 1
    return " ".join(block)


def _type(field: FieldInfo) -> str:
    annotation = field.annotation
    members = (
        list(typing.get_args(annotation))
        if typing.get_origin(annotation) in (typing.Union, types.UnionType)
        else [annotation]
    )
    optional = type(None) in members
    names = []
    for member in (m for m in members if m is not type(None)):
        if typing.get_origin(member) is Literal:
            names.append(" | ".join(str(choice) for choice in typing.get_args(member)))
        else:
            name = getattr(member, "__name__", str(member))
            names.append(TYPE_NAMES.get(name, name))
    return " or ".join(names) + (", optional" if optional else "")


def _default(field: FieldInfo) -> str:
    if field.default_factory is not None:
        doc = (field.default_factory.__doc__ or "computed").strip().split("\n")[0]
        return _cell(f"computed: {doc}".replace("``", "`"))
    value: Any = field.default
    if value is PydanticUndefined or value is None:
        return "unset"
    if value == "":
        return "empty"
    if isinstance(value, bool):
        return f"`{'true' if value else 'false'}`"
    return f"`{value}`"


def _bounds(field: FieldInfo) -> str:
    parts = []
    for metadata in field.metadata:
        for attribute, symbol in BOUNDS:
            bound = getattr(metadata, attribute, None)
            if bound is not None:
                parts.append(f"{symbol} {bound}")
    return _cell(", ".join(parts))


def _cell(value: object) -> str:
    text = " ".join(str(value).split()).replace("|", "\\|")
    return text.replace("<", "&lt;")


if __name__ == "__main__":
    print(environment_reference())
