"""The reshard run on a worker instance: the script SSM sends, the worker it goes to, and
what its JSON summary must say before the promotion lets traffic move on.

The script holds no secret (SSM records command text and output): it reads the database
URLs from the instance's own ``app.env`` (written at boot by gm-boot from Secrets Manager)
and hands them to ``gm-infra app reshard`` on the instance. It is POSIX sh because
``AWS-RunShellScript`` runs it with ``sh``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, Literal

from infra.errors import CheckFailedError
from infra.phases import RESHARD_RUN_TIMEOUT_S
from infra.remote.run_command import Invocation, Progress, send_script, wait
from infra.render.access import WORKER, run_command_fleet
from infra.render.userdata import ETC, HOME, SERVICE_USER, VENV

Action = Literal["run", "status"]
ENV_FILE = f"{ETC}/app.env"
GM_INFRA = f"{VENV}/bin/gm-infra"
NOT_READY_EXIT = 3  # the instance does not run the phase-3 configuration yet
RUN_TIMEOUT_S = RESHARD_RUN_TIMEOUT_S  # the reshard itself, on the instance (phases/)
STATUS_TIMEOUT_S = 120
CREDENTIALS = re.compile(r"://[^/@\s:]+:[^@\s]*@")


def reshard_script(
    shards: int,
    action: Action = "run",
    env_file: str = ENV_FILE,
    gm_infra: str = GM_INFRA,
    run_as: str | None = SERVICE_USER,
) -> list[str]:
    """The lines of the script: ``--source $DATABASE_URL --target <each shard URL>``; a run
    first checks that the instance lists ``shards`` shard URLs (the new configuration)."""
    user = f"runuser -u {run_as} -- " if run_as else ""
    tail = "--yes --format json" if action == "run" else "--status --format json"
    count_check = [
        f'if [ "$COUNT" -ne {shards} ]; then',
        f'  echo "gm-reshard: this instance runs with $COUNT shard URLs, not {shards}: its '
        "configuration is not the new phase's yet\" >&2",
        f"  exit {NOT_READY_EXIT}",
        "fi",
    ]
    return [
        "#!/bin/sh",  # what AWS-RunShellScript runs it with (dash on Ubuntu); a comment to sh
        "set -euf",  # -f: the URLs hold '?', never a glob
        f'ENV_FILE="{env_file}"',
        'if [ ! -r "$ENV_FILE" ]; then',
        '  echo "gm-reshard: $ENV_FILE is missing: the instance has not finished booting" >&2',
        f"  exit {NOT_READY_EXIT}",
        "fi",
        "set -a",
        "# shellcheck source=/dev/null",
        '. "$ENV_FILE"',
        "set +a",
        'set -- --source "$DATABASE_URL"',
        "COUNT=0",
        "IFS=,",
        'for URL in ${DATABASE_SHARD_URLS:-}; do set -- "$@" --target "$URL"; '
        "COUNT=$((COUNT + 1)); done",
        "unset IFS",
        *(count_check if action == "run" else []),
        f"cd {HOME if run_as else '/'}",
        f'exec {user}{gm_infra} app reshard "$@" {tail}',
    ]


def reshard_role(phase: int) -> str:
    """The ``Role`` tag of the fleet the reshard runs on (``access.run_command_fleet``)."""
    return run_command_fleet(phase)


def worker_instance(autoscaling: Any, groups: list[str], role: str = WORKER) -> tuple[str, str]:
    """(group name, instance id): an InService, healthy instance of the stack's group tagged
    ``Role=role`` (``reshard_role``: the workers up to phase 3)."""
    if not groups:
        raise CheckFailedError("the stack has no Auto Scaling group", hint="deploy it first")
    found = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=groups)
    for group in found["AutoScalingGroups"]:
        tags = {t["Key"]: t["Value"] for t in group.get("Tags", [])}
        if tags.get("Role") != role:
            continue
        ready = sorted(
            i["InstanceId"]
            for i in group.get("Instances", [])
            if i.get("LifecycleState") == "InService" and i.get("HealthStatus") == "Healthy"
        )
        if ready:
            return group["AutoScalingGroupName"], ready[0]
        raise CheckFailedError(
            f"the {role} group {group['AutoScalingGroupName']} has no InService instance "
            "to run the reshard on",
            hint="wait for the group to have a healthy instance, then rerun",
        )
    raise CheckFailedError(
        f"none of the stack's Auto Scaling groups is tagged Role={role}",
        hint=f"the reshard runs on a {role} instance (one that holds every shard's URL); "
        "is the stack at phase 3 or above?",
    )


def wanted_version(group: dict[str, Any]) -> str | None:
    spec = group.get("LaunchTemplate") or (
        group.get("MixedInstancesPolicy", {})
        .get("LaunchTemplate", {})
        .get("LaunchTemplateSpecification", {})
    )
    version = spec.get("Version") if spec else None
    return str(version) if version and str(version).isdigit() else None


def stale_instances(autoscaling: Any, groups: list[str]) -> list[str]:
    """Instances still on an older launch template version (the old configuration).

    An app without the new shard URLs writes every user's rows to shard 0 whatever the map
    says, so no range may flip while one runs: the reshard waits for the rollout.
    """
    if not groups:
        return []
    stale = []
    found = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=groups)
    for group in found["AutoScalingGroups"]:
        wanted = wanted_version(group)
        if wanted is None:
            continue
        for instance in group.get("Instances", []):
            if instance.get("LifecycleState", "").startswith("Terminat"):
                continue
            have = str(instance.get("LaunchTemplate", {}).get("Version", wanted))
            if have != wanted:
                stale.append(
                    f"{group['AutoScalingGroupName']}/{instance['InstanceId']} "
                    f"(version {have}, wants {wanted})"
                )
    return stale


def wait_for_rollout(
    autoscaling: Any,
    groups: list[str],
    timeout_s: float,
    poll_s: float,
    progress: Callable[[str], None],
    clock: Callable[[], float],
    sleep: Callable[[float], None],
) -> None:
    started = clock()
    while True:
        stale = stale_instances(autoscaling, groups)
        if not stale:
            return
        if clock() - started > timeout_s:
            raise CheckFailedError(
                f"{len(stale)} instance(s) still run the old configuration after "
                f"{int(timeout_s)} s: {', '.join(stale[:3])}",
                hint="no data moved; rerun the same gm-infra phase command once the instance "
                "refresh is done (aws autoscaling describe-instance-refreshes)",
            )
        progress(f"waiting for the rollout: {len(stale)} instance(s) on the old configuration")
        sleep(poll_s)


def redact(text: str) -> str:
    return CREDENTIALS.sub("://***@", text)


def last_json(stdout: str) -> dict[str, Any] | None:
    """The last line of ``stdout`` that is a JSON object (the CLI prints one)."""
    for line in reversed(stdout.strip().splitlines()):
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return None


def run_remote(
    ssm: Any,
    instance_id: str,
    lines: list[str],
    comment: str,
    timeout_s: int,
    poll_s: float,
    progress: Progress | None,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
) -> Invocation:
    command_id = send_script(ssm, instance_id, lines, comment, timeout_s)
    # A little longer than the instance's own bound, so its TimedOut is the one we see.
    return wait(ssm, command_id, instance_id, timeout_s + 120, poll_s, progress, clock, sleep)


def check_run(invocation: Invocation, hints: str) -> dict[str, Any]:
    """The reshard's summary, or CheckFailedError saying why it is not safe to go on."""
    where = f"SSM command {invocation.command_id} on {invocation.instance_id}"
    summary = last_json(invocation.stdout)
    if invocation.status != "Success" or invocation.exit_code != 0:
        said = redact(invocation.stderr.strip().splitlines()[-1]) if invocation.stderr else ""
        raise CheckFailedError(
            f"the reshard did not finish ({where}: {invocation.status}, exit "
            f"{invocation.exit_code}){': ' + said if said else ''}",
            hint=hints,
        )
    if summary is None:
        raise CheckFailedError(f"the reshard printed no JSON summary ({where})", hint=hints)
    if summary.get("verified") is not True or summary.get("status") != "done":
        raise CheckFailedError(
            f"the reshard's verification did not pass ({where}: status "
            f"{summary.get('status')!r}, verified {summary.get('verified')!r})",
            hint=hints,
        )
    return summary


def check_status(status: dict[str, Any]) -> tuple[bool, str]:
    """(ok, detail) for ``gm-infra app reshard --status --format json``."""
    ranges = int(status.get("ranges", 0))
    at_target = int(status.get("ranges_at_target", -1))
    verified = int(status.get("verified_ranges", -1))
    shards = int(status.get("shards", 0))
    targets = status.get("targets") or []
    detail = (
        f"map v{status.get('map_version')} {status.get('status')}: {at_target}/{ranges} ranges "
        f"at their targets, {verified} verified, {status.get('users_moved', 0)} users moved, "
        f"{shards} shards"
    )
    ok = (
        status.get("status") == "done"
        and ranges > 0
        and at_target == ranges
        and verified == ranges
        and shards == len(targets)
    )
    return ok, detail
