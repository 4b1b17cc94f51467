"""PR preview figures, side by side with the sequence it replaces, in one run.

1. ``gm-infra preview --base-ref REF`` for four phases, cold (plan cache off) and warm,
   against the 12-process sequence (``diff --base-ref``, ``policy``, ``cost`` per phase).
2. Uncached ``gm-infra plan --phase 4``: where the time goes (interpreter, ``import pulumi``,
   the pulumi_aws modules the program touches, the program under mocks, JSON), and the floor
   of importing pulumi and those pulumi_aws modules.

Wall and CPU (user + sys of the child processes) are printed: on a shared 2-core machine
the wall time swings with the neighbours' load; the CPU time does not.

Run from the repository root: .venv/bin/python benchmarks/bench_preview.py [--base-ref HEAD~1]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GM = [sys.executable, "-c", "import sys, cli; sys.argv[0] = 'gm-infra'; cli.main()"]
COLD = {"GM_INFRA_PLAN_CACHE": "0"}
PHASES = (1, 2, 3, 4)

STAGES = """
import json, sys, time
t = [time.perf_counter()]
import pulumi
t.append(time.perf_counter())
import pulumi_aws
t.append(time.perf_counter())
from infra.plan.build import record_plan
from infra.stack_files import settings_for_phase
t.append(time.perf_counter())
settings = settings_for_phase(4)
plan = record_plan(settings)
t.append(time.perf_counter())
text = plan.to_json()
t.append(time.perf_counter())
aws = sorted(m for m in sys.modules if m.startswith("pulumi_aws."))
print(json.dumps({"t": t, "aws": aws}))
"""


def run(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """(wall, cpu) seconds of one process; it must succeed (exit 1 = policy failed is fine)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        cmd, cwd=ROOT, env={**os.environ, **(env or {})}, capture_output=True, text=True
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd[3:])} failed: {done.stderr.strip()[-300:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def sequence(base_ref: str, env: dict[str, str] | None = None) -> tuple[float, float]:
    """The 12 processes the preview replaces."""
    wall = cpu = 0.0
    for phase in PHASES:
        for args in (
            ["diff", "--base-ref", base_ref, "--phase", str(phase), "--format", "markdown"],
            ["policy", "--phase", str(phase)],
            ["cost", "--phase", str(phase)],
        ):
            w, c = run(GM + args, env)
            wall, cpu = wall + w, cpu + c
    return wall, cpu


def line(label: str, figures: list[tuple[float, float]], goal: str = "") -> None:
    walls = [w for w, _ in figures]
    cpus = [c for _, c in figures]
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    text = f"  {label:<46} wall {wall:6.2f} s  cpu {cpu:6.2f} s"
    if len(figures) > 1:
        text += f"  (median of {len(figures)}, wall {min(walls):.2f}-{max(walls):.2f})"
    print(text + (f"  goal {goal}" if goal else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-ref", default="HEAD~1")
    parser.add_argument("--runs", type=int, default=3, help="runs of each warm figure")
    args = parser.parse_args()
    preview = [*GM, "preview", "--base-ref", args.base_ref, "--out", os.devnull]

    print(f"preview of phases 1-4 against {args.base_ref} (plan cache off = cold)")
    line("gm-infra preview, cold", [run(preview, COLD)], "<= 10 s")
    line("12-process sequence, cold", [sequence(args.base_ref, COLD)])
    run(preview)  # fills the cache (head plans and the base ref's plans)
    sequence(args.base_ref)
    line("gm-infra preview, warm", [run(preview) for _ in range(args.runs)], "<= 2 s")
    line("12-process sequence, warm", [sequence(args.base_ref) for _ in range(args.runs)])

    print("uncached gm-infra plan --phase 4 --format json")
    plan = [*GM, "plan", "--phase", "4", "--format", "json"]
    uncached = [run(plan, COLD) for _ in range(args.runs)]
    line("gm-infra plan --phase 4, uncached", uncached, "<= 1.5 s")
    line("python -c pass (interpreter)", [run([sys.executable, "-c", "pass"]) for _ in range(3)])
    staged = subprocess.run(
        [sys.executable, "-c", STAGES], cwd=ROOT, capture_output=True, text=True, check=True
    )
    data = json.loads(staged.stdout)
    t = data["t"]
    names = ("import pulumi", "import pulumi_aws (top)", "import the plan builder + program",
             "program under mocks (record_plan)", "plan to JSON")  # fmt: skip
    for name, start, end in zip(names, t[:-1], t[1:], strict=True):
        print(f"    {name:<44} {end - start:6.2f} s")
    floor = "import pulumi, " + ", ".join(data["aws"])
    line(
        f"floor: pulumi + {len(data['aws'])} pulumi_aws modules the program uses",
        [run([sys.executable, "-c", floor]) for _ in range(3)],
    )


if __name__ == "__main__":
    main()
