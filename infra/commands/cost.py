"""``gm-infra cost``: a monthly estimate of one plan, or the change between two."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from infra.commands.options import (
    FormatOption,
    JsonFlag,
    OutputFormat,
    PhaseOption,
    PlanFileOption,
    StackOption,
)
from infra.cost.tables import PRICES_FILE, load_prices, load_usage
from infra.errors import BadInputError

if TYPE_CHECKING:
    from infra.cost.model import CostEstimate
    from infra.plan.model import Plan

UsageOption = Annotated[
    Path | None,
    typer.Option(
        "--usage",
        help="YAML usage (alb, cloudfront, s3, nat, lattice keys) "
        "replacing the phase defaults in infra/cost/usage.yaml.",
    ),
]
PricesOption = Annotated[Path, typer.Option("--prices", help="Price table (YAML).")]
DiffPhase = Annotated[int | None, typer.Option("--diff-phase", help="Compare against a phase.")]
DiffStack = Annotated[str | None, typer.Option("--diff-stack", help="Compare against a stack.")]
DiffPlan = Annotated[Path | None, typer.Option("--diff-plan", help="Compare against a plan file.")]
CommitmentOption = Annotated[
    str,
    typer.Option(
        "--commitment",
        help="none, 1yr or 3yr: price the steady part (ASG minimums, databases, caches) at "
        "Savings Plans / reserved rates from the price table and show the saving.",
    ),
]


def price_plan(
    plan: Plan, usage_file: Path | None, prices_file: Path = PRICES_FILE
) -> CostEstimate:
    """The estimate of one plan with its phase's usage (or the given usage file)."""
    from infra.cost.estimate import estimate

    return estimate(plan, load_prices(prices_file), load_usage(plan.phase, usage_file))


def cost(
    phase: PhaseOption = None,
    stack: StackOption = None,
    plan: PlanFileOption = None,
    usage: UsageOption = None,
    prices: PricesOption = PRICES_FILE,
    diff_phase: DiffPhase = None,
    diff_stack: DiffStack = None,
    diff_plan: DiffPlan = None,
    commitment: CommitmentOption = "none",
    output_format: FormatOption = OutputFormat.table,
    json_output: JsonFlag = False,
) -> None:
    """Estimate the monthly cost of a plan (us-east-1 on-demand, 730 h a month).

    Fixed costs (instance-, node- and gateway-hours, storage) and usage costs (ALB LCUs,
    CloudFront, NAT and S3 traffic from a usage profile) are shown apart. Types the
    table cannot price are listed as unpriced, never counted as zero.

    Examples: gm-infra cost --phase 1;  gm-infra cost --phase 2 --diff-phase 1 --format json;
    gm-infra cost --phase 2 --commitment 1yr
    """
    fmt = OutputFormat.json if json_output else output_format
    from rich.console import Console

    from infra.cost.commitment import check_term, commitment_estimate
    from infra.cost.compare import compare
    from infra.cost.report import (
        comparison_markdown,
        estimate_markdown,
        print_commitment,
        print_comparison,
        print_estimate,
    )
    from infra.plan.load import load_plan

    term = check_term(commitment)
    the_plan = load_plan(phase, stack, plan)
    current = price_plan(the_plan, usage, prices)
    console = Console()
    if term != "none":
        if any(value is not None for value in (diff_phase, diff_stack, diff_plan)):
            raise BadInputError("--commitment prices one plan; it does not combine with --diff-*")
        table = load_prices(prices)
        if "commitments" not in table.data:
            raise BadInputError(f"{prices} has no commitments section (see infra/cost/prices.yaml)")
        committed = commitment_estimate(the_plan, table, current, term)
        if fmt is OutputFormat.json:
            typer.echo(
                json.dumps({**current.to_dict(), "commitment": committed.to_dict()}, indent=2)
            )
        else:
            print_estimate(current, console)
            print_commitment(committed, table, console)
        return
    if any(value is not None for value in (diff_phase, diff_stack, diff_plan)):
        base = price_plan(load_plan(diff_phase, diff_stack, diff_plan), usage, prices)
        comparison = compare(base, current)
        if fmt is OutputFormat.json:
            typer.echo(json.dumps(comparison.to_dict(), indent=2))
        elif fmt is OutputFormat.markdown:
            typer.echo(comparison_markdown(comparison), nl=False)
        else:
            print_comparison(comparison, console)
        return
    if fmt is OutputFormat.json:
        typer.echo(json.dumps(current.to_dict(), indent=2))
    elif fmt is OutputFormat.markdown:
        typer.echo(estimate_markdown(current), nl=False)
    else:
        print_estimate(current, console)


def register(root: typer.Typer) -> None:
    root.command("cost")(cost)
