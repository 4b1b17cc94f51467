"""``gm-infra policy``: the security rules over one plan."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from infra.commands.options import (
    FormatOption,
    JsonFlag,
    OutputFormat,
    PhaseOption,
    PlanFileOption,
    StackOption,
)
from infra.errors import CheckFailedError
from infra.policy.suppressions import DEFAULT_FILE, load_suppressions

SuppressionsOption = Annotated[
    Path, typer.Option("--suppressions", help="YAML list of {rule, resource, reason}.")
]


def policy(
    phase: PhaseOption = None,
    stack: StackOption = None,
    plan: PlanFileOption = None,
    suppressions: SuppressionsOption = DEFAULT_FILE,
    output_format: FormatOption = OutputFormat.table,
    json_output: JsonFlag = False,
    list_rules: Annotated[bool, typer.Option("--list-rules", help="Print the rules.")] = False,
) -> None:
    """Check a plan against the security rules; exit 1 naming each violation.

    Each rule names its checkov and cdk-nag counterparts (--list-rules). Suppressions
    live in infra/policy/suppressions.yaml and each one carries a reason.

    Example: gm-infra policy --phase 2 --format json
    """
    from infra.plan.load import load_plan
    from infra.policy.evaluate import evaluate
    from infra.policy.report import policy_markdown, policy_text
    from infra.policy.rules import ALL_RULES, rule_ids

    fmt = OutputFormat.json if json_output else output_format
    if list_rules:
        _print_rules(fmt)
        return
    result = evaluate(
        load_plan(phase, stack, plan), ALL_RULES, load_suppressions(suppressions, set(rule_ids()))
    )
    if fmt is OutputFormat.json:
        typer.echo(json.dumps(result.to_dict(), indent=2))
    elif fmt is OutputFormat.markdown:
        typer.echo(policy_markdown(result), nl=False)
    else:
        typer.echo(policy_text(result), nl=False)
    if not result.ok:
        names = ", ".join(f"{v.rule} on {v.name}" for v in result.violations)
        raise CheckFailedError(
            f"{len(result.violations)} policy violation(s): {names}",
            hint="fix the program, or add a suppression with a reason to "
            "infra/policy/suppressions.yaml",
        )


def _print_rules(fmt: OutputFormat) -> None:
    from infra.policy.rules import ALL_RULES

    if fmt is OutputFormat.json:
        typer.echo(json.dumps([rule.describe() for rule in ALL_RULES], indent=2))
        return
    for rule in ALL_RULES:
        refs = ", ".join(rule.checkov + rule.cdk_nag)
        typer.echo(f"{rule.id:10} {rule.title}" + (f"  [{refs}]" if refs else ""))


def register(root: typer.Typer) -> None:
    root.command("policy")(policy)
