"""gm-drain: the worker instance's watch for its own end (stdlib, plus boto3 from the venv).

Shipped in the worker's user data as /opt/green-matchers/bin/gm-drain and run as root by
green-matchers-drain.service. Every few seconds it asks the instance metadata service
(IMDSv2) two questions:

- ``autoscaling/target-lifecycle-state``: ``Terminated`` once the Auto Scaling group has
  chosen this instance for scale-in (or a rebalance); the group's termination lifecycle
  hook (``green-matchers-drain``) holds it in ``Terminating:Wait`` meanwhile;
- ``spot/instance-action``: present once EC2 has given the two-minute spot interruption
  notice.

Either way it drains Celery the same way: ``systemctl stop`` on the worker unit (SIGTERM,
Celery's warm shutdown: no new task is taken, running ones finish, within the unit's
TimeoutStopSec), then completes the lifecycle action so the group terminates the instance
at once instead of waiting out the hook's heartbeat. The hook's name comes from boot.json.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from typing import Any

CONFIG = "/etc/green-matchers/boot.json"
IMDS = "http://169.254.169.254"
WORKER_UNIT = "green-matchers-worker.service"
POLL_S = 5.0


def imds(base: str, path: str) -> str | None:
    """An IMDSv2 answer, or None when the path does not exist (404) or IMDS is down."""
    try:
        put = urllib.request.Request(
            f"{base}/latest/api/token",
            method="PUT",
            headers={"X-aws-ec2-metadata-token-ttl-seconds": "60"},
        )
        with urllib.request.urlopen(put, timeout=2) as answer:
            token = answer.read().decode()
        get = urllib.request.Request(
            f"{base}/latest/meta-data/{path}", headers={"X-aws-ec2-metadata-token": token}
        )
        with urllib.request.urlopen(get, timeout=2) as answer:
            return str(answer.read().decode())
    except (urllib.error.URLError, OSError):
        return None


def ending(base: str) -> str | None:
    """Why this instance is about to end (``scale-in`` or ``spot``), or None."""
    if imds(base, "autoscaling/target-lifecycle-state") == "Terminated":
        return "scale-in"
    if imds(base, "spot/instance-action") is not None:
        return "spot"
    return None


def drain(cfg: dict[str, Any], base: str, autoscaling: Any, systemctl: str) -> None:
    """Warm shutdown of Celery, then let the group go on terminating this instance."""
    print(f"gm-drain: stopping {WORKER_UNIT} (warm shutdown)", flush=True)
    subprocess.run([systemctl, "stop", WORKER_UNIT], check=False)
    instance = imds(base, "instance-id")
    if not instance:
        print("gm-drain: no instance id from IMDS; the hook times out instead", flush=True)
        return
    found = autoscaling.describe_auto_scaling_instances(InstanceIds=[instance])
    groups = [i["AutoScalingGroupName"] for i in found.get("AutoScalingInstances", [])]
    if not groups:
        print(f"gm-drain: {instance} is in no Auto Scaling group", flush=True)
        return
    autoscaling.complete_lifecycle_action(
        AutoScalingGroupName=groups[0],
        LifecycleHookName=cfg["drain"]["hook"],
        InstanceId=instance,
        LifecycleActionResult="CONTINUE",
    )
    print(f"gm-drain: drained; lifecycle action completed for {instance}", flush=True)


def watch(
    cfg: dict[str, Any], base: str, autoscaling: Any, systemctl: str, poll_s: float, rounds: int
) -> str | None:
    """Poll until the instance is ending (then drain) or ``rounds`` polls pass (0: forever)."""
    done = 0
    while True:
        why = ending(base)
        if why:
            print(f"gm-drain: this instance is ending ({why})", flush=True)
            drain(cfg, base, autoscaling, systemctl)
            return why
        done += 1
        if rounds and done >= rounds:
            return None
        time.sleep(poll_s)


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    config = args[0] if args else CONFIG
    with open(config) as handle:
        cfg = json.load(handle)
    import boto3

    autoscaling = boto3.client("autoscaling", region_name=cfg["region"])
    base = os.environ.get("GM_IMDS_URL", IMDS)
    systemctl = os.environ.get("GM_SYSTEMCTL", "systemctl")
    poll = float(os.environ.get("GM_DRAIN_POLL_S", POLL_S))
    watch(cfg, base, autoscaling, systemctl, poll, int(os.environ.get("GM_DRAIN_ROUNDS", "0")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
