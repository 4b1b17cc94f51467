"""Quota preflight cost: wall time of `check_quotas` for the phase-4 plan against the local
emulator, side by side with the rest of the preflight (credentials, zones, instance types)
measured in the same run, with and without three other phase-4 stacks' worth of resources
in the emulated account.

Run: .venv/bin/python benchmarks/bench_quotas.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import boto3

from infra.checks.account_usage import check_quotas
from infra.checks.preflight import preflight
from infra.emulator.endpoint import EMULATOR_CREDENTIALS
from infra.emulator.server import start
from infra.plan.build import record_plan
from infra.stack_files import settings_for_phase


def timed(call: Callable[[], Any], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        begin = time.perf_counter()
        call()
        times.append(time.perf_counter() - begin)
    return times


def line(label: str, times: list[float]) -> str:
    return (
        f"{label}: median {statistics.median(times) * 1000:.0f} ms, "
        f"min {min(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    plan = record_plan(settings_for_phase(4))
    emulator = start()
    try:
        session = boto3.session.Session(region_name="us-east-1", **EMULATOR_CREDENTIALS)
        clients: dict[str, Any] = {}

        def client(service: str) -> Any:
            if service not in clients:
                clients[service] = session.client(service, endpoint_url=emulator.endpoint)
            return clients[service]

        def without_quotas() -> None:
            # the preflight as it was before quotas: its own checks only
            import infra.checks.preflight as module

            saved = module.check_quotas
            module.check_quotas = lambda *a, **k: []  # type: ignore[assignment]
            try:
                preflight(plan, "us-east-1", client)
            finally:
                module.check_quotas = saved

        preflight(plan, "us-east-1", client)  # warm: moto loads its EC2 data once
        for label in ("empty account", "account with 9 EIPs, 9 NAT gateways, 27 DB instances"):
            base = timed(without_quotas, args.runs)
            quotas = timed(lambda: check_quotas(plan, client), args.runs)
            print(f"[{label}, {args.runs} runs]")
            print("  " + line("preflight without quotas (baseline)", base))
            print("  " + line("check_quotas (6 quotas, 8 checks)", quotas))
            if label == "empty account":
                _fill(client)
    finally:
        emulator.stop()


def _fill(client: Callable[[str], Any]) -> None:
    ec2, rds = client("ec2"), client("rds")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.0.0/24")["Subnet"]["SubnetId"]
    for _ in range(9):
        allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
        ec2.create_nat_gateway(SubnetId=subnet, AllocationId=allocation)
    for index in range(27):
        rds.create_db_instance(
            DBInstanceIdentifier=f"bench-{index}",
            DBInstanceClass="db.t3.micro",
            Engine="mariadb",
            EngineVersion="10.11",
            MasterUsername="admin",
            MasterUserPassword="not-a-secret-123",
            AllocatedStorage=20,
        )


if __name__ == "__main__":
    main()
