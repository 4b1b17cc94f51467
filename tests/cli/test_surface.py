"""One surface: the same option names for the same things on every command."""

from __future__ import annotations

from typing import Any

import typer

from cli import app

PHASE_CHOOSERS = ("plan", "cost", "policy", "validate", "export", "diagram", "phase", "rehearse")
STACK_CHOOSERS = ("plan", "cost", "policy", "validate", "export", "diagram", "phase", "verify",
                  "rightsize", "metrics", "rehearse", "unlock")  # fmt: skip


def _commands() -> dict[str, Any]:
    group: Any = typer.main.get_command(app)  # typer's own click, vendored
    return dict(group.commands)


def _options(name: str) -> dict[str, Any]:
    return {
        opt: param
        for param in _commands()[name].params
        if param.param_type_name == "option"
        for opt in (*param.opts, *param.secondary_opts)
    }


def test_a_phase_is_dash_dash_phase_or_dash_p_everywhere() -> None:
    for name in PHASE_CHOOSERS:
        options = _options(name)
        assert "--phase" in options and "-p" in options, name
        assert options["--phase"] is options["-p"], name


def test_a_stack_is_dash_dash_stack_or_dash_s_everywhere() -> None:
    for name in STACK_CHOOSERS:
        options = _options(name)
        assert "--stack" in options and "-s" in options, name
        assert options["--stack"] is options["-s"], name


def test_stacks_dir_is_hidden_where_it_is_still_accepted() -> None:
    seen = 0
    for name, command in _commands().items():
        for param in command.params:
            if param.param_type_name == "option" and "--stacks-dir" in param.opts:
                assert param.hidden, name
                seen += 1
    assert seen >= 5  # validate, phase, verify, rightsize, metrics


def _leaves(command: Any, path: str = "") -> dict[str, Any]:
    children = getattr(command, "commands", None)
    if not children:
        return {path: command}
    found: dict[str, Any] = {}
    for name, child in children.items():
        found.update(_leaves(child, f"{path} {name}".strip()))
    return found


def test_json_is_an_alias_of_format_wherever_it_is_offered() -> None:
    offered = 0
    for name, command in _leaves(typer.main.get_command(app)).items():
        options = {
            opt: param
            for param in command.params
            if param.param_type_name == "option"
            for opt in param.opts
        }
        if "--json" not in options:
            continue
        offered += 1
        assert "--format" in options and "-f" in options, name
        assert options["--json"].help == "Same as --format json.", name
    assert offered >= 15
