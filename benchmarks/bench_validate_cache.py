"""``gm-infra validate --phase 4`` cold and warm, each beside its floor, in one run.

* floors: cfn-lint alone (its CLI) and checkov alone (its own venv, offline) on the same
  exported phase-4 template, each a fresh process;
* cold: ``gm-infra validate --phase 4`` with an empty findings cache (a fresh
  ``GM_INFRA_HOME`` whose plan cache is warm: the plan is not what is measured), goal
  ≤ 1.25 x the slower judge;
* warm: the same command again (findings from the cache), goal ≤ 2 s.

The machine's load average is printed beside the figures (they mean little when it is
high). Run: .venv/bin/python benchmarks/bench_validate_cache.py [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from infra.export.cloudformation import export_plan  # noqa: E402
from infra.plan.build import plan_for_phase  # noqa: E402
from infra.validate.checkov_judge import OFFLINE_ENV, find_checkov  # noqa: E402
from infra.validate.checkov_judge import OPTIONS as CHECKOV_OPTIONS  # noqa: E402

BIN = Path(sys.executable).parent


def timed(command: list[str], env: dict[str, str], cwd: Path = ROOT) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, cwd=cwd, capture_output=True, check=False)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    checkov = find_checkov()
    if checkov is None:
        sys.exit("checkov is not installed (scripts/setup.sh makes .venv-checkov)")
    work = Path(tempfile.mkdtemp(prefix="gm-bench-validate-"))
    try:
        plan = plan_for_phase(4)  # warms the plan cache the command reads
        template = work / "template.json"
        template.write_text(export_plan(plan, "us-east-1").to_json())
        env = dict(os.environ)
        figures = {
            "cfn-lint alone": timed(
                [
                    str(BIN / "cfn-lint"),
                    "--regions",
                    "us-east-1",
                    "--format",
                    "json",
                    "--",
                    str(template),
                ],
                env,
            ),
            "checkov alone": timed(
                [str(checkov), "-f", str(template), *CHECKOV_OPTIONS],
                {**env, **OFFLINE_ENV},
                work,
            ),
        }
        home = work / "home"
        plans = ROOT / ".gm-infra" / "cache" / "plans"
        if plans.is_dir():  # the plan cache, wherever GM_INFRA_HOME puts it, stays warm
            shutil.copytree(plans, home / "cache" / "plans")
        command = [str(BIN / "gm-infra"), "validate", "--phase", "4", "--format", "json"]
        validate_env = {**env, "GM_INFRA_HOME": str(home)}
        figures["validate cold"] = timed(command, validate_env)
        figures["validate warm"] = timed(command, validate_env)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    slower = max(figures["cfn-lint alone"], figures["checkov alone"])
    goals = {"validate cold": 1.25 * slower, "validate warm": 2.0}
    load = os.getloadavg()[0]
    if args.json:
        print(json.dumps({"seconds": figures, "goals": goals, "load_average": load}, indent=2))
        return
    print(f"load average {load:.2f} (figures are noisy above the core count)")
    for name, seconds in figures.items():
        goal = goals.get(name)
        beside = (
            f"   goal ≤ {goal:.1f} s ({'met' if seconds <= goal else 'NOT met'})" if goal else ""
        )
        print(f"{name:16} {seconds:6.1f} s{beside}")


if __name__ == "__main__":
    main()
