"""Figures of ``gm-infra validate``: wall time of phase 4 cold and warm; findings per judge per
phase before and after the component fixes of issue 9.

* cold: ``gm-infra validate --phase 4`` in a fresh process (interpreter start, imports,
  cfn-lint loading its schemas, checkov's own process); the plan comes from the plan cache,
  as it does for a user after ``gm-infra plan``.
* warm: the same validation again in one process (cfn-lint's schemas already loaded; checkov
  is a new process every time).
* before/after: measured in the same run. "before" is today's plan of each phase with the
  six values the fixes changed planted back as they were before them (commit 857e103): the
  Lattice security group's apostrophe, ``require_secure_transport=ON`` and no ``log_output``
  in the parameter group, the flow-log role without ``logs:DescribeLogGroups``,
  ``minimumProtocolVersion`` with the default CloudFront certificate, and ``compress`` on the
  CachingDisabled behaviour. "raw" counts are without any waiver; "unwaived" with
  ``infra/validate/waivers.yaml`` (what decides the exit code).

Run: .venv/bin/python benchmarks/bench_validate.py [--json]
Everything is offline. Takes a few minutes on 2 cores (12 validations).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from infra.plan.build import plan_for_phase  # noqa: E402
from infra.plan.model import Plan, PlannedResource  # noqa: E402
from infra.validate.model import ERROR, ValidationResult  # noqa: E402
from infra.validate.run import JUDGES, validate_plan, validate_plans  # noqa: E402
from infra.validate.waivers import DEFAULT_FILE  # noqa: E402

PHASES = (1, 2, 3, 4)
OLD_LATTICE_SG = "VPC Lattice service network: HTTPS from the platform's instances"


def unfixed(plan: Plan) -> Plan:
    """The plan with the values before the fixes planted back."""
    resources = []
    for r in plan.resources:
        inputs = copy.deepcopy(r.inputs)
        if r.name == "gm-services-lattice-sg":
            inputs["description"] = OLD_LATTICE_SG
        elif r.type == "aws:rds/parameterGroup:ParameterGroup":
            params = [p for p in inputs["parameters"] if p["name"] != "log_output"]
            for p in params:
                if p["name"] == "require_secure_transport":
                    p["value"] = "ON"
            inputs["parameters"] = params
        elif r.type == "aws:cloudfront/distribution:Distribution":
            inputs["viewerCertificate"]["minimumProtocolVersion"] = "TLSv1.2_2021"
            inputs["defaultCacheBehavior"]["compress"] = True
        elif r.name == "gm-network-flow-logs-write":
            document = json.loads(inputs["policy"])
            document["Statement"] = [
                s for s in document["Statement"] if "logs:DescribeLogGroups" not in s["Action"]
            ]
            inputs["policy"] = json.dumps(document, sort_keys=True)
        resources.append(
            PlannedResource(
                r.urn, r.type, r.name, r.custom, r.parent, inputs, r.dependencies, r.protect
            )
        )
    return Plan(plan.project, plan.stack, plan.phase, resources, plan.outputs)


def counts(result: ValidationResult, waived_count: bool) -> dict[str, int]:
    """Errors and warnings per judge (unwaived only when ``waived_count`` is False)."""
    out = {tool: 0 for tool in (*JUDGES, "waivers")}
    for f in result.findings:
        if f.severity in (ERROR, "warning") and (waived_count or not f.waived):
            out[f.tool] += 1
    return out


def cold_seconds() -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", "from cli import main; main()", "validate", "--phase", "4"],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    plans = {p: plan_for_phase(p) for p in PHASES}  # fills the plan cache for the cold run
    cold = cold_seconds()
    validate_plan(plans[4], "us-east-1")  # loads cfn-lint in this process
    started = time.perf_counter()
    validate_plan(plans[4], "us-east-1")
    warm = time.perf_counter() - started

    with tempfile.TemporaryDirectory() as tmp:
        none = Path(tmp) / "none.yaml"
        none.write_text("waivers: []\n")
        figures: dict[str, dict[int, dict[str, int]]] = {}
        for label, variant, waivers in (
            ("before, raw", unfixed, none),
            ("after, raw", lambda p: p, none),
            ("before, unwaived", unfixed, DEFAULT_FILE),
            ("after, unwaived", lambda p: p, DEFAULT_FILE),
        ):
            results = validate_plans([(variant(plans[p]), "us-east-1") for p in PHASES], waivers)
            figures[label] = {
                p: counts(r, waived_count=waivers is none)
                for p, r in zip(PHASES, results, strict=True)
            }

    report: dict[str, Any] = {
        "validate --phase 4 wall s": {"cold (new process)": round(cold, 1), "warm": round(warm, 1)},
        "load average": round(os.getloadavg()[0], 1),
        "errors+warnings per judge": figures,
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    load = os.getloadavg()[0]
    print(f"validate --phase 4: cold {cold:.1f} s (new process), warm {warm:.1f} s (in-process)")
    print(f"(load average {load:.1f} on {os.cpu_count()} CPUs while measuring)")
    print()
    tools = (*JUDGES, "waivers")
    header = f"{'phase':>5}  {'variant':18}" + "".join(f"{t:>10}" for t in tools)
    print(header)
    for p in PHASES:
        for label, by_phase in figures.items():
            row = by_phase[p]
            print(f"{p:>5}  {label:18}" + "".join(f"{row[t]:>10}" for t in tools))
        print()


if __name__ == "__main__":
    main()
