"""Cost estimates for people: a rich table for the terminal, markdown for pull requests."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from infra.cost.commitment import CommitmentEstimate
from infra.cost.compare import CostComparison
from infra.cost.model import CostEstimate
from infra.cost.tables import PriceTable


def money(amount: float, signed: bool = False) -> str:
    text = f"${abs(amount):,.2f}"
    if signed:
        return ("+" if amount >= 0 else "-") + text
    return text if amount >= 0 else "-" + text


def cost_headline(comparison: CostComparison) -> str:
    """`` · monthly cost +$12.00 ($100.00 → $112.00)``: appended to a diff's headline."""
    return (
        f" · monthly cost {money(comparison.delta, signed=True)} "
        f"({money(comparison.before.total)} → {money(comparison.after.total)})"
    )


def print_estimate(estimate: CostEstimate, console: Console) -> None:
    table = Table(
        title=f"Monthly estimate for {estimate.stack} ({estimate.currency}, "
        f"prices v{estimate.price_version} read {estimate.prices_read_on})"
    )
    for column in ("resource", "fixed", "usage", "monthly", "basis"):
        table.add_column(column, justify="left" if column in {"resource", "basis"} else "right")
    for name, fixed, usage, detail in _display_rows(estimate):
        table.add_row(name, money(fixed), money(usage), money(fixed + usage), detail)
    table.add_section()
    table.add_row(
        "total",
        money(estimate.fixed),
        money(estimate.usage),
        money(estimate.total),
        f"{estimate.free} free resources not listed",
    )
    console.print(table)
    for item in estimate.unpriced:
        console.print(f"[yellow]unpriced[/yellow] {item.name} ({item.type}): {item.reason}")


def _display_rows(estimate: CostEstimate) -> list[tuple[str, float, float, str]]:
    """Lines under a dollar are folded per type (eleven alarms read as one row)."""
    rows: list[tuple[str, float, float, str]] = []
    small: dict[str, list[float]] = {}
    for line in sorted(estimate.resources, key=lambda line: -line.monthly):
        if line.monthly >= 1:
            rows.append((line.name, line.fixed, line.usage, line.detail))
        else:
            small.setdefault(line.type.split(":")[-1], []).append(line.monthly)
    for kind, amounts in sorted(small.items()):
        rows.append((f"{len(amounts)} x {kind}", sum(amounts), 0.0, "each under $1"))
    return rows


def print_comparison(comparison: CostComparison, console: Console) -> None:
    console.print(
        f"{comparison.before.stack} {money(comparison.before.total)} -> "
        f"{comparison.after.stack} {money(comparison.after.total)}: "
        f"{money(comparison.delta, signed=True)} a month"
    )
    table = Table()
    for column in ("resource", "type", "before", "after", "change"):
        table.add_column(column, justify="left" if column in {"resource", "type"} else "right")
    for change in comparison.changes:
        table.add_row(
            change.name,
            change.type.split(":")[-1],
            money(change.before),
            money(change.after),
            money(change.delta, signed=True),
        )
    console.print(table)


def estimate_markdown(estimate: CostEstimate, limit: int = 15) -> str:
    lines = [
        f"**Monthly estimate for `{estimate.stack}`: {money(estimate.total)}** "
        f"({money(estimate.fixed)} fixed + {money(estimate.usage)} usage; "
        f"{estimate.currency}, us-east-1 on-demand, prices v{estimate.price_version} "
        f"read {estimate.prices_read_on})",
        "",
        "| resource | type | monthly | basis |",
        "|---|---|---:|---|",
    ]
    ordered = sorted(estimate.resources, key=lambda line: -line.monthly)
    for line in ordered[:limit]:
        lines.append(
            f"| `{line.name}` | {line.type.split(':')[-1]} | {money(line.monthly)} "
            f"| {line.detail} |"
        )
    rest = ordered[limit:]
    if rest:
        lines.append(f"| {len(rest)} more | | {money(sum(r.monthly for r in rest))} | |")
    if estimate.unpriced:
        lines += [
            "",
            "⚠️ **Unpriced** (not in the total): "
            + ", ".join(f"`{item.name}` ({item.reason})" for item in estimate.unpriced),
        ]
    return "\n".join(lines) + "\n"


def comparison_markdown(comparison: CostComparison, limit: int = 15) -> str:
    lines = [
        f"**Monthly cost {money(comparison.delta, signed=True)}**: "
        f"`{comparison.before.stack}` {money(comparison.before.total)} → "
        f"`{comparison.after.stack}` {money(comparison.after.total)}",
        "",
    ]
    if comparison.changes:
        lines += ["| resource | type | before | after | change |", "|---|---|---:|---:|---:|"]
        for change in comparison.changes[:limit]:
            lines.append(
                f"| `{change.name}` | {change.type.split(':')[-1]} | {money(change.before)} "
                f"| {money(change.after)} | {money(change.delta, signed=True)} |"
            )
        if len(comparison.changes) > limit:
            lines.append(f"| {len(comparison.changes) - limit} more | | | | |")
    if comparison.after.unpriced:
        lines += [
            "",
            "⚠️ **Unpriced** (not in the total): "
            + ", ".join(f"`{item.name}`" for item in comparison.after.unpriced),
        ]
    return "\n".join(lines) + "\n"


def print_commitment(committed: CommitmentEstimate, prices: PriceTable, console: Console) -> None:
    """The steady part at on-demand and committed rates, the saving, and where rates come from."""
    table = Table(title=f"Steady part at {committed.term} commitment rates (monthly)")
    for column in ("resource", "steady part", "on demand", "committed", "saving"):
        table.add_column(
            column, justify="left" if column in {"resource", "steady part"} else "right"
        )
    for line in committed.lines:
        table.add_row(
            line.name, line.detail, money(line.on_demand), money(line.committed),
            money(line.saving),
        )  # fmt: skip
    table.add_section()
    table.add_row(
        "plan total", "", money(committed.on_demand_total), money(committed.total),
        money(committed.saving),
    )  # fmt: skip
    console.print(table)
    rates = prices.data["commitments"]
    for service in ("ec2", "rds", "elasticache"):
        entry = rates[service]
        console.print(
            f"{service}: {entry['product']}, {entry[committed.term]:.0%} off "
            f"(rates read {rates['read_on']}; sources in infra/cost/prices.yaml)"
        )
