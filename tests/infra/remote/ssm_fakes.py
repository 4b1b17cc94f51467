"""What moto cannot do for SSM Run Command: the worker's replies to each script."""

from __future__ import annotations

import json
from typing import Any

from infra.remote.reshard_flow import RemoteOptions

DONE_STATUS = {
    "status": "done",
    "map_version": 40,
    "shards": 3,
    "ranges": 30,
    "ranges_at_source": 0,
    "ranges_at_target": 30,
    "verified_ranges": 30,
    "users_moved": 812,
    "targets": ["a:3306/gm", "b:3306/gm", "c:3306/gm"],
}
IDLE_STATUS = {**DONE_STATUS, "status": "idle", "ranges": 1, "ranges_at_target": 0,
               "verified_ranges": 0, "shards": 1, "targets": []}  # fmt: skip
SUMMARY = {
    "status": "done",
    "rows_copied": 60000,
    "rows_per_s": 3500.0,
    "users_moved": 812,
    "verified": True,
    "pause_ms_max": 120,
}


class Instance:
    """What the worker 'prints' for each script, sequenced per call; moto runs nothing."""

    def __init__(self, ssm: Any, status: list[dict[str, Any]], run: list[dict[str, Any]]):
        self.ssm, self.status, self.run = ssm, status, run
        self.real = ssm.get_command_invocation
        self.real_send = ssm.send_command
        self.polls = 0
        self.sent: list[dict[str, Any]] = []  # what we asked for (moto adds every instance
        ssm.get_command_invocation = self.invocation  # when a command has no Targets)
        ssm.send_command = self.send

    def send(self, **kwargs: Any) -> dict[str, Any]:
        self.sent.append(kwargs)
        return dict(self.real_send(**kwargs))

    def invocation(self, **kwargs: Any) -> dict[str, Any]:
        found = dict(self.real(**kwargs))
        command = self.ssm.list_commands(CommandId=kwargs["CommandId"])["Commands"][0]
        lines = command["Parameters"]["commands"]
        replies = self.status if "--status" in lines[-1] else self.run
        self.polls += 1
        reply = replies.pop(0) if len(replies) > 1 else replies[0]
        found.update(reply)
        return found


def ok(payload: dict[str, Any]) -> dict[str, Any]:
    return {"Status": "Success", "ResponseCode": 0, "StandardOutputContent": json.dumps(payload)}


def options() -> RemoteOptions:
    ticks = iter(range(0, 10_000, 10))
    return RemoteOptions(poll_s=0, clock=lambda: float(next(ticks)), sleep=lambda _s: None)
