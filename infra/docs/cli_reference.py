"""The CLI reference: every command of the typer app with its help and options.

Read from the command objects typer builds (the ones ``--help`` prints), so a new command
or option shows up on the next ``gm-infra docs --write`` without anyone writing about it.
Typer 0.29 builds on its own fork of click, so the objects are read by their attributes
(``params``, ``list_commands``, ``opts``), not checked against ``click`` classes.
"""

from __future__ import annotations

import enum
import inspect
from pathlib import Path
from typing import Any

from infra.docs.markdown import cell, code, table, text

TYPE_NAMES = {"str": "text", "Path": "path", "int": "integer", "float": "number"}


def cli_reference(root: Any, name: str, repo_root: Path) -> str:
    """Markdown for every command under ``root``, in the order ``--help`` lists them.

    Defaults that are paths inside ``repo_root`` are shown relative to it, so the
    reference reads the same on every checkout.
    """
    sections = [_command(path, command, repo_root) for path, command in _walk(root, name)]
    return "\n\n".join(s for s in sections if s)


def _subcommands(group: Any, path: str) -> list[tuple[str, Any]]:
    if not hasattr(group, "list_commands"):
        return []
    ctx = group.context_class(group, info_name=path)
    found = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is not None and not command.hidden:
            found.append((name, command))
    return found


def _walk(command: Any, path: str) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = [(path, command)]
    for name, sub in _subcommands(command, path):
        found += _walk(sub, f"{path} {name}")
    return found


def _command(path: str, command: Any, repo_root: Path) -> str:
    if " " not in path:  # the root: its help is the README's own introduction
        return ""
    parts = [f"### `{path}`", _help(command)]
    subcommands = _subcommands(command, path)
    if subcommands:
        rows = [[code(f"{path} {n}"), cell(_summary(c))] for n, c in subcommands]
        parts.append(table(["command", "what it does"], rows))
    rows = [_param_row(p, repo_root) for p in command.params if _shown(p)]
    if rows:
        parts.append(table(["argument / option", "type", "default", "help"], rows))
    return "\n\n".join(p for p in parts if p)


def _help(command: Any) -> str:
    """The command's help as Markdown paragraphs (click's ``\\b`` no-rewrap marks dropped)."""
    lines = [line for line in inspect.cleandoc(command.help or "").splitlines()]
    return text("\n".join(line for line in lines if line.strip() != "\b").strip())


def _summary(command: Any) -> str:
    return str(command.short_help or _help(command).split("\n\n")[0])


def _shown(param: Any) -> bool:
    return not getattr(param, "hidden", False) and param.name != "help"


def _param_row(param: Any, repo_root: Path) -> list[str]:
    if param.param_type_name == "argument":
        names = code(str(param.name).upper())
    else:
        names = ", ".join(code(o) for o in [*param.opts, *param.secondary_opts])
    help_text = getattr(param, "help", None) or ""
    if param.required:
        help_text = f"Required. {help_text}"
    if isinstance(param.envvar, str):
        help_text = f"{help_text} (env {param.envvar})"
    return [names, cell(_type(param)), _default(param, repo_root), cell(help_text)]


def _type(param: Any) -> str:
    if getattr(param, "is_flag", False):
        return "flag"
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return " | ".join(str(member.value) for member in annotation)
    name = annotation.__name__ if isinstance(annotation, type) else str(annotation or "str")
    if param.multiple:
        element = name.removeprefix("list[").removesuffix("]")
        return f"{TYPE_NAMES.get(element, element)}, repeatable"
    return TYPE_NAMES.get(name, name)


def _default(param: Any, repo_root: Path) -> str:
    default = param.default
    if getattr(param, "is_flag", False):
        if param.secondary_opts:  # --validate/--no-validate: the default is one of the two
            return code(param.opts[0] if default else param.secondary_opts[0])
        return code("on") if default else ""
    if default is None or default == () or default == [] or callable(default):
        return ""
    if isinstance(default, enum.Enum):
        default = default.value
    if isinstance(default, Path) and default.is_relative_to(repo_root):
        default = default.relative_to(repo_root).as_posix()
    return code(default)
