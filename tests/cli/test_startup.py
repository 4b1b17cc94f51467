"""``gm-infra --help`` and every command's help answer about as fast as a bare typer app:
Pulumi, pulumi_aws, boto3, cfn-lint, moto, jinja2 and the app are imported only inside the
commands that need them."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

HEAVY = (
    "pulumi",
    "pulumi_aws",
    "boto3",
    "botocore",
    "cfnlint",
    "moto",
    "jinja2",
    "sqlalchemy",
    "fastapi",
    "app",
    "infra.program",
    "infra.settings",
)
EVERY_HELP = """
import sys
import typer.main
from typer.testing import CliRunner
import cli

root = typer.main.get_command(cli.app)
paths = [[]]
def walk(command, prefix):
    for name, child in getattr(command, "commands", {}).items():
        paths.append([*prefix, name])
        walk(child, [*prefix, name])
walk(root, [])
runner = CliRunner()
for path in paths:
    result = runner.invoke(cli.app, [*path, "--help"])
    assert result.exit_code == 0, (path, result.output)
heavy = sorted(m for m in sys.modules if m.split(".")[0] in HEAVY or m in HEAVY)
print(len(paths), ",".join(heavy))
"""
# A bare typer app whose command has as many options as ``phase`` (rich draws a row per
# option, so a help's cost grows with them).
OPTIONS = ", ".join(
    f"o{n}: Annotated[str, typer.Option(help='Option {n}, with a line of help.')] = 'x'"
    for n in range(16)
)
MINI = f"""
from typing import Annotated
import typer
app = typer.Typer()
@app.command()
def a({OPTIONS}) -> None:
    '''A command.

    Example: a --o1 y
    '''
@app.command()
def b(y: str = '') -> None:
    '''B.'''
app()
"""
GM = [sys.executable, "-c", "import sys, cli; sys.argv[0] = 'gm-infra'; cli.main()"]
ROOT = Path(__file__).resolve().parents[2]


def test_importing_the_cli_root_does_not_import_pulumi() -> None:
    code = (
        "import sys, cli; "
        "print(','.join(m for m in ('pulumi', 'pulumi_aws', 'boto3') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == ""


def test_no_help_imports_a_heavy_module() -> None:
    script = f"HEAVY = {HEAVY!r}\n" + EVERY_HELP
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    count, heavy = (
        done.stdout.strip().split(" ", 1)
        if " " in done.stdout.strip()
        else (done.stdout.strip(), "")
    )
    assert int(count) > 25  # every command and group was asked for its help
    assert heavy == "", f"--help imported: {heavy}"


def _fastest(argv: list[str], runs: int = 3) -> float:
    """The least CPU time (user + system) of ``runs`` runs: unlike wall-clock time, it does
    not grow when other work shares the machine's cores."""
    best = float("inf")
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(argv, cwd=ROOT, capture_output=True, check=True, timeout=60)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best = min(best, used)
    return best


def test_help_is_about_as_fast_as_a_bare_typer_app() -> None:
    for argv, bare_argv in (
        ([*GM, "--help"], [sys.executable, "-c", MINI, "--help"]),
        ([*GM, "plan", "--help"], [sys.executable, "-c", MINI, "a", "--help"]),
        ([*GM, "phase", "--help"], [sys.executable, "-c", MINI, "a", "--help"]),
    ):
        bare = _fastest(bare_argv)
        took = _fastest(argv)
        # The goal is 0.3 s on a quiet machine; compared with a bare typer app measured
        # beside it, so that a busy machine slows both alike (importing Pulumi alone takes
        # over a second, several times a bare app's whole run).
        assert took < 2 * bare + 0.1, f"{argv[-2:]} took {took:.2f} s; bare typer {bare:.2f} s"
