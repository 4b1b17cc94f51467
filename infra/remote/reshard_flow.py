"""The reshard on AWS, end to end: wait for the new configuration on every instance, ask a
worker for the map, run (or resume) the reshard there, and judge its summary.

Used by ``gm-infra phase`` (2 -> 3 on ``--engine pulumi``) and, for the map's status, by
``gm-infra verify`` (infra/checks/verify.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from infra.errors import CheckFailedError
from infra.remote.reshard import (
    RUN_TIMEOUT_S,
    STATUS_TIMEOUT_S,
    check_run,
    check_status,
    last_json,
    redact,
    reshard_role,
    reshard_script,
    run_remote,
    wait_for_rollout,
    worker_instance,
)

Say = Callable[[str], None]


@dataclass(frozen=True)
class RemoteOptions:
    poll_s: float = 10.0
    rollout_timeout_s: float = 3600.0  # the instance refresh of every group
    run_timeout_s: int = RUN_TIMEOUT_S
    clock: Callable[[], float] = field(default=time.monotonic)
    sleep: Callable[[float], None] = field(default=time.sleep)


def hints(stack: str, phase: int, instance: str) -> str:
    """How to go on after a stop: the app follows the map, so either way is safe."""
    return (
        f"every user's rows stay readable (the app follows the shard map). Resume: rerun "
        f"gm-infra phase {phase} --stack {stack} (the reshard continues where it stopped). "
        f"Roll back: on that instance (aws ssm start-session --target {instance}) run "
        f"gm-infra app reshard with the same --source/--target and --rollback "
        f"(README: Resharding, Inside the promotion)"
    )


def remote_status(
    autoscaling: Any, ssm: Any, groups: list[str], opts: RemoteOptions, phase: int
) -> tuple[str, dict[str, Any]]:
    """(instance id, ``gm-infra app reshard --status --format json`` on an instance of the
    fleet that holds every shard's URL in ``phase``)."""
    _group, instance = worker_instance(autoscaling, groups, reshard_role(phase))
    invocation = run_remote(
        ssm,
        instance,
        reshard_script(0, "status"),
        "gm-infra app reshard --status",
        STATUS_TIMEOUT_S,
        min(opts.poll_s, 2.0),
        None,
        opts.clock,
        opts.sleep,
    )
    found = last_json(invocation.stdout)
    if invocation.status != "Success" or invocation.exit_code != 0 or found is None:
        said = redact(invocation.stderr.strip().splitlines()[-1]) if invocation.stderr else ""
        raise CheckFailedError(
            f"cannot read the shard map on {instance} (SSM {invocation.status}, exit "
            f"{invocation.exit_code}){': ' + said if said else ''}",
            hint="is the instance's SSM agent online? aws ssm describe-instance-information",
        )
    return instance, found


def remote_reshard(
    autoscaling: Any,
    ssm: Any,
    groups: list[str],
    shards: int,
    stack: str,
    phase: int,
    say: Say,
    opts: RemoteOptions | None = None,
) -> dict[str, Any]:
    """The reshard's summary (``already`` true when the map said done before); raises
    CheckFailedError, with how to resume or roll back, when it did not finish verified."""
    opts = opts or RemoteOptions()
    wait_for_rollout(
        autoscaling, groups, opts.rollout_timeout_s, opts.poll_s, say, opts.clock, opts.sleep
    )
    instance, status = remote_status(autoscaling, ssm, groups, opts, phase)
    ok, detail = check_status(status)
    if ok and int(status.get("shards", 0)) == shards:
        say(f"already done: {detail}")
        return {**status, "verified": True, "already": True, "instance": instance}
    say(f"running on {instance}: map {status.get('status')}, {shards} shards")

    def progress(state: str, seconds: float) -> None:
        say(f"{state} on {instance}, {int(seconds)} s")

    invocation = run_remote(
        ssm,
        instance,
        reshard_script(shards, "run"),
        f"gm-infra app reshard to {shards} shards ({stack})",
        opts.run_timeout_s,
        opts.poll_s,
        progress,
        opts.clock,
        opts.sleep,
    )
    summary = check_run(invocation, hints(stack, phase, instance))
    return {**summary, "already": False, "instance": instance}
