"""Send a shell script to one instance with SSM Run Command and wait for it to finish.

``AWS-RunShellScript`` runs the lines as root on the instance. SSM records the command text
and its output, so callers put no secret in either: scripts read what they need from the
instance's own files.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from infra.errors import CheckFailedError

DOCUMENT = "AWS-RunShellScript"
FINISHED = ("Success", "Failed", "Cancelled", "TimedOut", "Undeliverable", "Terminated")

# status ("InProgress", ...), seconds since the command was sent
Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class Invocation:
    command_id: str
    instance_id: str
    status: str
    exit_code: int  # -1 when the script never ran to an end (timed out, cancelled)
    stdout: str
    stderr: str


def send_script(
    ssm: Any,
    instance_id: str,
    lines: list[str],
    comment: str,
    timeout_s: int,
) -> str:
    """The command id. ``timeout_s`` bounds the script on the instance (executionTimeout)."""
    try:
        response = ssm.send_command(
            InstanceIds=[instance_id],
            DocumentName=DOCUMENT,
            Comment=comment[:100],  # SSM's limit
            Parameters={"commands": lines, "executionTimeout": [str(timeout_s)]},
            TimeoutSeconds=60,  # to be delivered: the agent must pick it up within a minute
        )
    except ClientError as error:
        raise CheckFailedError(
            f"SSM refused to send the command to {instance_id}: {_reason(error)}",
            hint="the operator needs ssm:SendCommand on AWS-RunShellScript and on the stack's "
            "instances (README: Resharding, Inside the promotion)",
        ) from None
    return str(response["Command"]["CommandId"])


def wait(
    ssm: Any,
    command_id: str,
    instance_id: str,
    timeout_s: float,
    poll_s: float = 5.0,
    progress: Progress | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Invocation:
    """Poll ``get_command_invocation`` until the command ends (or ``timeout_s`` passes)."""
    started = clock()
    last = ""
    while True:
        try:
            found = ssm.get_command_invocation(CommandId=command_id, InstanceId=instance_id)
        except ClientError as error:
            # Just after send_command the invocation may not exist yet.
            if error.response.get("Error", {}).get("Code") != "InvocationDoesNotExist":
                raise CheckFailedError(
                    f"cannot read SSM command {command_id}: {_reason(error)}",
                    hint="the operator needs ssm:GetCommandInvocation",
                ) from None
            found = {"Status": "Pending"}
        status = str(found.get("Status", "Pending"))
        elapsed = clock() - started
        if progress is not None and (status != last or status == "InProgress"):
            progress(status, elapsed)
        last = status
        if status in FINISHED:
            return Invocation(
                command_id,
                instance_id,
                status,
                int(found.get("ResponseCode", -1)),
                str(found.get("StandardOutputContent", "")),
                str(found.get("StandardErrorContent", "")),
            )
        if elapsed > timeout_s:
            return Invocation(command_id, instance_id, "TimedOut", -1, "", "")
        sleep(poll_s)


def _reason(error: ClientError) -> str:
    info = error.response.get("Error", {})
    return f"{info.get('Code', '?')}: {info.get('Message', '')}".strip()
