"""Polling an SSM command: a not-yet-visible invocation, progress, and our own time limit."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from infra.errors import CheckFailedError
from infra.remote.run_command import wait


class Replies:
    def __init__(self, *replies: Any):
        self.replies = list(replies)

    def get_command_invocation(self, **_kwargs: Any) -> dict[str, Any]:
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if isinstance(reply, Exception):
            raise reply
        return dict(reply)


def error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "m"}}, "GetCommandInvocation")


def clock() -> Any:
    return iter(range(0, 100_000, 10)).__next__


def test_an_invocation_not_yet_visible_is_pending_then_read() -> None:
    seen: list[str] = []
    ssm = Replies(
        error("InvocationDoesNotExist"),
        {"Status": "InProgress"},
        {"Status": "Failed", "ResponseCode": 2, "StandardErrorContent": "boom"},
    )
    found = wait(ssm, "c", "i-1", 600, 0, lambda s, _t: seen.append(s), clock(), lambda _s: None)
    assert (found.status, found.exit_code, found.stderr) == ("Failed", 2, "boom")
    assert seen == ["Pending", "InProgress", "Failed"]


def test_our_own_limit_ends_the_wait_as_timed_out() -> None:
    found = wait(
        Replies({"Status": "InProgress"}), "c", "i-1", 60, 0, None, clock(), lambda _s: None
    )
    assert found.status == "TimedOut" and found.exit_code == -1


def test_a_refused_read_is_a_clear_failure() -> None:
    with pytest.raises(CheckFailedError, match="AccessDenied") as raised:
        wait(Replies(error("AccessDeniedException")), "c", "i-1", 60, 0, None, clock(), print)
    assert "ssm:GetCommandInvocation" in (raised.value.hint or "")
