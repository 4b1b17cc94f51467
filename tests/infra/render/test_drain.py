"""Workers drain before they go: the termination lifecycle hook, gm-drain and its unit.

gm-drain runs against a fake instance metadata service (IMDSv2 on a port the OS picks) and
a recording ``systemctl``; moto has no CompleteLifecycleAction, so the Auto Scaling client
is a recorder too. The plan side checks the hook, its heartbeat and the role's permission.
"""

from __future__ import annotations

import json
import re
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from infra.plan.build import plan_for_phase
from infra.plan.types import tokens as t
from infra.render import drain
from infra.render.userdata import (
    DRAIN_HEARTBEAT_S,
    DRAIN_HOOK,
    UNIT_DIR,
    WORKER_UNIT,
    boot_config,
    extract_files,
    render_userdata,
)
from tests.infra.factories import context

INSTANCE = "i-0123456789abcdef0"
GROUP = "gm-worker-asg-1a2b3c"


class Imds(BaseHTTPRequestHandler):
    paths: ClassVar[dict[str, str]] = {}

    def do_PUT(self) -> None:
        self._answer(200, "token-1") if self.path == "/latest/api/token" else self._answer(404)

    def do_GET(self) -> None:
        if self.headers.get("X-aws-ec2-metadata-token") != "token-1":
            return self._answer(401)
        found = self.paths.get(self.path.removeprefix("/latest/meta-data/"))
        self._answer(200, found) if found is not None else self._answer(404)

    def _answer(self, status: int, body: str = "") -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def imds() -> Iterator[tuple[str, dict[str, str]]]:
    paths = {"instance-id": INSTANCE}
    handler = type("Handler", (Imds,), {"paths": paths})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", paths
    finally:
        server.shutdown()
        server.server_close()


class AutoScaling:
    """Answers DescribeAutoScalingInstances; records CompleteLifecycleAction."""

    def __init__(self, stop_log: Path):
        self.stop_log = stop_log
        self.completed: list[dict[str, str]] = []

    def describe_auto_scaling_instances(self, InstanceIds: list[str]) -> dict[str, Any]:
        found = [{"InstanceId": i, "AutoScalingGroupName": GROUP} for i in InstanceIds]
        return {"AutoScalingInstances": found}

    def complete_lifecycle_action(self, **kwargs: str) -> None:
        # Celery's warm shutdown has finished before the group may terminate the instance.
        assert self.stop_log.read_text().splitlines() == [f"stop {WORKER_UNIT}"]
        self.completed.append(kwargs)


def systemctl(tmp_path: Path) -> tuple[str, Path]:
    log = tmp_path / "systemctl.log"
    log.write_text("")
    script = tmp_path / "systemctl"
    script.write_text(f'#!/bin/sh\necho "$*" >> {log}\n')
    script.chmod(0o755)
    return str(script), log


def worker_config() -> dict[str, Any]:
    return boot_config(context("worker", 3, None))


def test_nothing_happens_while_the_instance_is_in_service(
    imds: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    base, paths = imds
    paths["autoscaling/target-lifecycle-state"] = "InService"
    tool, log = systemctl(tmp_path)
    client = AutoScaling(log)
    assert drain.watch(worker_config(), base, client, tool, 0.01, rounds=3) is None
    assert log.read_text() == "" and client.completed == []


@pytest.mark.parametrize(
    ("path", "value", "why"),
    [
        ("autoscaling/target-lifecycle-state", "Terminated", "scale-in"),
        ("spot/instance-action", '{"action": "terminate", "time": "2026-12-08T01:00:00Z"}', "spot"),
    ],
)
def test_scale_in_or_a_spot_notice_drains_celery_then_completes_the_hook(
    imds: tuple[str, dict[str, str]], tmp_path: Path, path: str, value: str, why: str
) -> None:
    base, paths = imds
    paths["autoscaling/target-lifecycle-state"] = "InService"
    paths[path] = value
    tool, log = systemctl(tmp_path)
    client = AutoScaling(log)
    assert drain.watch(worker_config(), base, client, tool, 0.01, rounds=3) == why
    assert client.completed == [
        {
            "AutoScalingGroupName": GROUP,
            "LifecycleHookName": DRAIN_HOOK,
            "InstanceId": INSTANCE,
            "LifecycleActionResult": "CONTINUE",
        }
    ]


def test_no_metadata_service_means_no_drain(tmp_path: Path) -> None:
    _tool, log = systemctl(tmp_path)
    assert drain.ending("http://127.0.0.1:9") is None  # refused: not ending, keep watching
    assert log.read_text() == ""


def test_the_worker_user_data_runs_gm_drain_beside_celery() -> None:
    script = render_userdata(context("worker", 2, None))
    files = extract_files(script)
    assert files["/opt/green-matchers/bin/gm-drain"].startswith(("import", "from", "#", '"'))
    unit = files[f"{UNIT_DIR}/green-matchers-drain.service"]
    assert "gm-drain /etc/green-matchers/boot.json" in unit
    worker = files[f"{UNIT_DIR}/{WORKER_UNIT}"]
    stop = int(re.search(r"TimeoutStopSec=(\d+)", worker).group(1))  # type: ignore[union-attr]
    assert stop < DRAIN_HEARTBEAT_S  # the hook waits longer than the warm shutdown may take
    assert json.loads(files["/etc/green-matchers/boot.json"])["drain"] == {"hook": DRAIN_HOOK}
    api = extract_files(render_userdata(context("api", 2, None)))
    assert "/opt/green-matchers/bin/gm-drain" not in api


@pytest.mark.parametrize("phase", [2, 3, 4])
def test_the_worker_group_has_a_termination_hook_its_role_may_complete(phase: int) -> None:
    plan = plan_for_phase(phase)
    hooks = [r for r in plan.custom_resources() if r.type == t.LIFECYCLE_HOOK]
    assert [h.name for h in hooks] == ["gm-worker-drain"]
    hook = hooks[0].inputs
    assert hook["name"] == DRAIN_HOOK
    assert hook["lifecycleTransition"] == "autoscaling:EC2_INSTANCE_TERMINATING"
    assert (hook["heartbeatTimeout"], hook["defaultResult"]) == (DRAIN_HEARTBEAT_S, "CONTINUE")
    group = next(r for r in plan.custom_resources() if r.name == "gm-worker-asg")
    assert hooks[0].parent == group.parent  # the worker fleet's own
    policy = next(r for r in plan.custom_resources() if r.name == "gm-worker-instance-drain")
    # on the workers' own role: the api fleet may not complete the worker group's hooks
    assert not [r for r in plan.custom_resources() if r.name == "gm-instance-drain"]
    statements = json.loads(policy.inputs["policy"])["Statement"]
    complete = next(s for s in statements if "autoscaling:CompleteLifecycleAction" in s["Action"])
    assert complete["Resource"] != ["*"] and len(complete["Resource"]) == 1


def test_phase_1_has_no_worker_group_and_no_hook() -> None:
    plan = plan_for_phase(1)
    assert not [r for r in plan.custom_resources() if r.type == t.LIFECYCLE_HOOK]


def test_gm_drain_main_reads_its_config(
    imds: tuple[str, dict[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, _ = imds
    config = tmp_path / "boot.json"
    config.write_text(json.dumps(worker_config()))
    tool, log = systemctl(tmp_path)
    for name, value in (("GM_IMDS_URL", base), ("GM_SYSTEMCTL", tool), ("GM_DRAIN_ROUNDS", "1")):
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    assert drain.main([str(config)]) == 0  # in service: one look, nothing done
    assert log.read_text() == ""
    assert sys.modules["infra.render.drain"] is drain
