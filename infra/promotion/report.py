"""Rich progress for a promotion: steps, the diff, resources as they are done, checks.

With ``--json`` everything here goes to stderr and stdout carries only the JSON outcome.
"""

from __future__ import annotations

import sys

from rich.console import Console
from rich.table import Table

from infra.checks.results import CheckResult
from infra.diff.model import PlanDiff
from infra.engines.base import Change

MARK = {
    "ok": "[green]✓[/]",
    "fail": "[red]✗[/]",
    "not-emulated": "[yellow]~[/]",
    "no-data": "[cyan]?[/]",
    "pending": "[yellow]…[/]",
    "running": "[cyan]…[/]",
    "skipped": "[yellow]-[/]",
}
SHOWN_ACTIONS = ("create", "update", "replace", "delete", "retain")


def checks_table(title: str, results: list[CheckResult]) -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("", "check", "target", "detail"):
        table.add_column(column)
    for r in results:
        table.add_row(MARK.get(r.status, r.status), r.check, r.target, r.detail)
    return table


class ConsoleReporter:
    def __init__(self, to_stderr: bool = False, verbose: bool = False):
        self.console = Console(stderr=to_stderr, highlight=False)
        self.verbose = verbose
        self._count = 0

    def step(self, name: str, status: str, detail: str = "") -> None:
        self.console.print(f"{MARK.get(status, status)} [bold]{name}[/] {detail}")

    def resource(self, change: Change) -> None:
        self._count += 1
        if change.action not in SHOWN_ACTIONS and not self.verbose:
            return
        note = f" [yellow]({change.note})[/]" if change.note and not change.emulated else ""
        self.console.print(f"    {change.action:<8} {change.name}{note}")

    def diff(self, diff: PlanDiff) -> None:
        self.console.print(
            f"  diff: [green]+{len(diff.added)}[/] added, [yellow]~{len(diff.changed)}[/] "
            f"changed ({len(diff.replaced)} replaced), [red]-{len(diff.removed)}[/] removed"
        )
        for change in diff.changed:
            paths = ", ".join(p.path for p in change.properties[:4])
            self.console.print(f"    ~ {change.name} ({change.action}): {paths}")
        for change in diff.removed:
            self.console.print(
                f"    - {change.name}" + (f" [red]{change.warning}[/]" if change.warning else "")
            )
        if self.verbose:
            for change in diff.added:
                self.console.print(f"    + {change.name}")

    def checks(self, title: str, results: list[CheckResult]) -> None:
        self.console.print(checks_table(title, results))

    def confirm(self, question: str) -> bool | None:
        if not sys.stdin.isatty():
            return None
        answer = self.console.input(f"{question} [y/N] ")
        return answer.strip().lower() in ("y", "yes")
