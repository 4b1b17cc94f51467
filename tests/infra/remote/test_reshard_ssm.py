"""The reshard on AWS through SSM Run Command, against moto (mock_aws).

moto records the command sent and reports it as Success without running it, so these tests
check the wiring: the script and where it goes, the polling, and the refusals. The script
itself is run here with ``sh`` against a fake ``gm-infra`` to check the arguments it builds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest

from infra.checks.verify import check_reshard, verify
from infra.engines.base import RESHARD_NOT_EMULATED, Inventory
from infra.errors import CheckFailedError
from infra.remote.reshard import reshard_script
from infra.remote.reshard_flow import RemoteOptions, remote_reshard
from tests.infra.remote.conftest import REGION
from tests.infra.remote.ssm_fakes import DONE_STATUS, IDLE_STATUS, SUMMARY, Instance, ok, options

PASSWORD = "s3cr3t-pw"
S0 = f"mariadb+pymysql://app:{PASSWORD}@shard0.example:3306/green_matchers?charset=utf8mb4"
S1 = f"mariadb+pymysql://app:{PASSWORD}@shard1.example:3306/green_matchers?charset=utf8mb4"
S2 = f"mariadb+pymysql://app:{PASSWORD}@shard2.example:3306/green_matchers?charset=utf8mb4"

# ---- the script, run with sh -------------------------------------------------------------


def run_script(tmp_path: Path, shard_urls: str, action: Any = "run") -> subprocess.CompletedProcess:
    env_file = tmp_path / "app.env"
    env_file.write_text(f"DATABASE_URL={S0}\nDATABASE_SHARD_URLS={shard_urls}\nOTHER=x\n")
    fake = tmp_path / "gm-infra"
    echo = "import json, sys; print(json.dumps(sys.argv[1:]))"
    fake.write_text(f"#!/bin/sh\nexec {sys.executable} -c '{echo}' \"$@\"\n")
    fake.chmod(0o755)
    lines = reshard_script(3, action, env_file=str(env_file), gm_infra=str(fake), run_as=None)
    (tmp_path / "touch?").write_text("")  # a file the URLs' '?' would glob onto
    return subprocess.run(
        ["sh", "-c", "\n".join(lines)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PATH": os.environ["PATH"]},
        check=False,
    )


def test_script_passes_the_instance_urls_as_source_and_targets(tmp_path: Path) -> None:
    done = run_script(tmp_path, f"{S0},{S1},{S2}")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [
        "app", "reshard", "--source", S0, "--target", S0, "--target", S1, "--target", S2,
        "--yes", "--format", "json",
    ]  # fmt: skip


def test_script_status_asks_for_the_map(tmp_path: Path) -> None:
    done = run_script(tmp_path, f"{S0},{S1},{S2}", action="status")
    assert done.returncode == 0, done.stderr
    args = json.loads(done.stdout)
    assert args[:4] == ["app", "reshard", "--source", S0]
    assert args[-3:] == ["--status", "--format", "json"] and "--yes" not in args


def test_script_refuses_an_instance_on_the_old_configuration(tmp_path: Path) -> None:
    done = run_script(tmp_path, S0)  # phase 2's env: one shard URL
    assert done.returncode == 3
    assert "1 shard URLs, not 3" in done.stderr and done.stdout == ""
    assert PASSWORD not in done.stderr


def test_script_text_holds_no_secret_and_passes_shellcheck(tmp_path: Path) -> None:
    lines = reshard_script(3)
    text = "\n".join(lines)
    assert "://" not in text and PASSWORD not in text
    assert "/etc/green-matchers/app.env" in text and "runuser -u green-matchers" in text
    script = tmp_path / "s.sh"
    script.write_text(text + "\n")
    try:
        checked = subprocess.run(
            ["shellcheck", "-s", "sh", str(script)], capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        pytest.skip("shellcheck is not installed (apt-get install shellcheck)")
    assert checked.returncode == 0, checked.stdout


# ---- the AWS side, on moto -------------------------------------------------------------


def test_reshard_goes_to_the_worker_and_polls_until_done(aws: dict[str, Any]) -> None:
    instance = Instance(
        aws["ssm"],
        status=[ok(IDLE_STATUS)],
        run=[{"Status": "InProgress", "ResponseCode": -1}] * 3 + [ok(SUMMARY)],
    )
    said: list[str] = []
    summary = remote_reshard(
        aws["autoscaling"], aws["ssm"], aws["groups"], 3, "s", 3, said.append, options()
    )
    assert summary["verified"] is True and summary["already"] is False
    assert summary["instance"] == aws["worker"] and summary["rows_copied"] == 60000
    commands = aws["ssm"].list_commands()["Commands"]
    assert len(commands) == 2 == len(instance.sent)  # the map's status first, then the reshard
    for command, asked in zip(commands, instance.sent, strict=True):
        assert command["DocumentName"] == asked["DocumentName"] == "AWS-RunShellScript"
        assert asked["InstanceIds"] == [aws["worker"]]  # the worker, not the api instance
        assert aws["worker"] in command["InstanceIds"]
        sent = json.dumps(command["Parameters"]) + json.dumps(asked)
        assert "://" not in sent and PASSWORD not in sent
    run = next(c for c in commands if "--yes" in c["Parameters"]["commands"][-1])
    assert 'if [ "$COUNT" -ne 3 ]; then' in run["Parameters"]["commands"]
    assert run["Parameters"]["executionTimeout"] == [str(RemoteOptions().run_timeout_s)]
    assert sum("InProgress" in s for s in said) == 3  # progress while it runs
    assert instance.polls >= 5


def test_a_finished_map_is_not_resharded_again(aws: dict[str, Any]) -> None:
    Instance(aws["ssm"], status=[ok(DONE_STATUS)], run=[ok(SUMMARY)])
    summary = remote_reshard(
        aws["autoscaling"], aws["ssm"], aws["groups"], 3, "s", 3, lambda _m: None, options()
    )
    assert summary["already"] is True
    assert len(aws["ssm"].list_commands()["Commands"]) == 1


@pytest.mark.parametrize(
    ("reply", "said"),
    [
        (ok({**SUMMARY, "verified": False, "status": "copying"}), "verification did not pass"),
        (
            {
                "Status": "Failed",
                "ResponseCode": 1,
                "StandardErrorContent": f"gm-infra: a database stopped answering ({S1})",
            },
            "did not finish",
        ),
        ({"Status": "Success", "ResponseCode": 0, "StandardOutputContent": "oops"}, "no JSON"),
    ],
)
def test_a_failed_or_unverified_reshard_stops_with_resume_and_rollback(
    aws: dict[str, Any], reply: dict[str, Any], said: str
) -> None:
    Instance(aws["ssm"], status=[ok(IDLE_STATUS)], run=[reply])
    with pytest.raises(CheckFailedError) as raised:
        remote_reshard(
            aws["autoscaling"], aws["ssm"], aws["groups"], 3, "s", 3, lambda _m: None, options()
        )
    error = raised.value
    assert said in error.message and PASSWORD not in error.message
    assert "gm-infra phase 3 --stack s" in (error.hint or "")
    assert "--rollback" in (error.hint or "") and aws["worker"] in (error.hint or "")


def test_the_reshard_waits_for_every_instance_on_the_new_configuration(
    aws: dict[str, Any],
) -> None:
    # The api group moves to launch template version 2; its instance still runs version 1.
    template = aws["templates"]["api"]
    aws["ec2"].create_launch_template_version(
        LaunchTemplateId=template, LaunchTemplateData={"InstanceType": "t3.small"}
    )
    aws["autoscaling"].update_auto_scaling_group(
        AutoScalingGroupName="s-api-asg",
        LaunchTemplate={"LaunchTemplateId": template, "Version": "2"},
    )
    Instance(aws["ssm"], status=[ok(IDLE_STATUS)], run=[ok(SUMMARY)])
    said: list[str] = []
    opts = RemoteOptions(
        poll_s=0,
        rollout_timeout_s=30,
        clock=iter(range(0, 10_000, 10)).__next__,  # type: ignore[arg-type]
        sleep=lambda _s: None,
    )
    with pytest.raises(CheckFailedError) as raised:
        remote_reshard(aws["autoscaling"], aws["ssm"], aws["groups"], 3, "s", 3, said.append, opts)
    assert "old configuration" in raised.value.message and "s-api-asg" in raised.value.message
    assert "no data moved" in (raised.value.hint or "")
    assert said and "waiting for the rollout" in said[0]
    assert aws["ssm"].list_commands()["Commands"] == []  # nothing sent before the rollout


def test_no_worker_instance_is_a_clear_failure(aws: dict[str, Any]) -> None:
    with pytest.raises(CheckFailedError, match="tagged Role=worker"):
        remote_reshard(
            aws["autoscaling"], aws["ssm"], ["s-api-asg"], 3, "s", 3, lambda _m: None, options()
        )


# ---- verify --------------------------------------------------------------------------------


def clients(aws: dict[str, Any]) -> Any:
    return lambda service: aws.get(service) or boto3.client(service, region_name=REGION)


def test_verify_passes_when_the_map_says_done(aws: dict[str, Any]) -> None:
    Instance(aws["ssm"], status=[ok(DONE_STATUS)], run=[ok(SUMMARY)])
    [row] = check_reshard(clients(aws), Inventory(phase=3, auto_scaling_groups={"s-worker-asg": 1}))
    assert row.status == "ok" and "30/30 ranges" in row.detail and aws["worker"] in row.target


@pytest.mark.parametrize(
    "status",
    [
        IDLE_STATUS,
        {**DONE_STATUS, "status": "copying"},
        {**DONE_STATUS, "ranges_at_target": 29},
        {**DONE_STATUS, "verified_ranges": 29},
    ],
)
def test_verify_fails_when_the_map_is_not_done_or_counts_differ(
    aws: dict[str, Any], status: dict[str, Any]
) -> None:
    Instance(aws["ssm"], status=[ok(status)], run=[ok(SUMMARY)])
    [row] = check_reshard(clients(aws), Inventory(phase=3, auto_scaling_groups={"s-worker-asg": 1}))
    assert row.status == "fail"


def test_verify_fails_when_the_worker_cannot_answer(aws: dict[str, Any]) -> None:
    Instance(aws["ssm"], status=[{"Status": "Failed", "ResponseCode": 1}], run=[ok(SUMMARY)])
    [row] = check_reshard(clients(aws), Inventory(phase=3, auto_scaling_groups={"s-worker-asg": 1}))
    assert row.status == "fail" and "cannot read the shard map" in row.detail


def test_verify_reads_the_map_from_phase_3_on_aws_only(aws: dict[str, Any]) -> None:
    instance = Instance(aws["ssm"], status=[ok(DONE_STATUS)], run=[ok(SUMMARY)])
    groups = {"s-worker-asg": 1}
    phase2 = verify(Inventory(phase=2, auto_scaling_groups=groups), clients(aws))
    assert not [r for r in phase2 if r.check == "reshard"] and not instance.sent
    phase3 = verify(Inventory(phase=3, auto_scaling_groups=groups), clients(aws))
    assert [r.status for r in phase3 if r.check == "reshard"] == ["ok"]
    assert len(instance.sent) == 1


def test_verify_on_the_local_engine_shows_not_emulated_and_sends_nothing(
    aws: dict[str, Any],
) -> None:
    instance = Instance(aws["ssm"], status=[ok(DONE_STATUS)], run=[ok(SUMMARY)])
    inventory = Inventory(
        phase=3,
        auto_scaling_groups={"s-worker-asg": 1},
        not_emulated={RESHARD_NOT_EMULATED: "rehearse the data move locally"},
    )
    results = verify(inventory, clients(aws))
    assert [r.status for r in results if r.target == RESHARD_NOT_EMULATED] == ["not-emulated"]
    assert not [r for r in results if r.check == "reshard"] and not instance.sent


def test_the_local_inventory_names_the_reshard_not_emulated_from_phase_3() -> None:
    from infra.engines.inventory import _reshard_note

    assert _reshard_note(2) == {}
    assert RESHARD_NOT_EMULATED in _reshard_note(3) and RESHARD_NOT_EMULATED in _reshard_note(4)
