"""Offline plan figures: process wall time of `gm-infra plan --phase 4 --format json`,
cached and uncached, beside its floor (a process that only imports pulumi and pulumi_aws;
issue 23's goal is uncached within 5x that floor), resource counts per phase, and (with
--suite) the whole test suite's wall time beside its 5-minute goal, with the ten slowest.

Run: .venv/bin/python benchmarks/bench_plan.py [--runs 5] [--suite]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GM_INFRA = ROOT / ".venv" / "bin" / "gm-infra"


def wall(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(
        cmd, cwd=ROOT, capture_output=True, text=True, check=True, env={**os.environ, **(env or {})}
    )
    return time.perf_counter() - start, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--suite", action="store_true", help="also time the whole test suite")
    args = parser.parse_args()

    floor_command = [sys.executable, "-c", "import pulumi, pulumi_aws"]
    floor = statistics.median(wall(floor_command)[0] for _ in range(args.runs))
    print(f"floor: python -c 'import pulumi, pulumi_aws': median {floor:.2f} s")
    command = [str(GM_INFRA), "plan", "--phase", "4", "--format", "json"]
    wall(command)  # fills the plan cache
    for label, env in (("cached", {}), ("uncached", {"GM_INFRA_PLAN_CACHE": "0"})):
        times = [wall(command, env)[0] for _ in range(args.runs)]
        median = statistics.median(times)
        print(
            f"gm-infra plan --phase 4 --format json ({label}): "
            f"median {median:.2f} s, min {min(times):.2f} s, "
            f"max {max(times):.2f} s over {args.runs} runs; {median / floor:.1f}x the floor "
            f"(goal uncached: 5x = {5 * floor:.2f} s)"
        )

    for phase in (1, 2, 3, 4):
        _, out = wall([str(GM_INFRA), "plan", "--phase", str(phase), "--format", "json"])
        plan = json.loads(out)
        custom = [r for r in plan["resources"] if r["custom"]]
        print(
            f"phase {phase}: {len(custom)} resources, "
            f"{len(plan['resources']) - len(custom)} components, "
            f"{sum(r['protect'] for r in custom)} protected"
        )

    if args.suite:
        env = {"GM_REQUIRE_SERVICES": "1"}
        seconds, out = wall([sys.executable, "-m", "pytest", "--durations=10"], env)
        print(f"test suite (the README's command): {seconds:.1f} s; goal 300 s")
        slowest = out.split("slowest 10 durations", 1)[-1].splitlines()[1:11]
        for line in slowest:
            print(f"  {line.strip()}")


if __name__ == "__main__":
    main()
