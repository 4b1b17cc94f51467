"""The real engine's paths against a fake Automation API workspace (the pulumi CLI cannot be
installed here): unreadable state, partial updates, errors; and a failed rollback.

``pulumi.automation``'s ``LocalWorkspace``, ``select_stack`` and ``create_or_select_stack``
are replaced by fakes that answer or raise as the real ones do (their own exception types).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto

from infra.checks.results import CheckResult
from infra.engines.base import Change, DeployResult, Inventory
from infra.engines.pulumi_engine import PulumiEngine
from infra.errors import CheckFailedError, GmError
from infra.plan.build import plan_for_phase
from infra.promotion import runner
from infra.promotion.history import read_history
from infra.promotion.runner import Promotion, PromotionRequest
from infra.settings import settings_from_config
from infra.stack_files import read_stack_config, write_stack_config


class FakeWorkspace:
    def __init__(self, **_: Any):
        pass


class FakeStack:
    """Answers ``outputs()`` and ``up()`` from what the test planted."""

    def __init__(
        self,
        outputs: Any = None,
        up_error: Exception | None = None,
        events: int = 0,
        steps: list[tuple[str, str]] | None = None,
    ):
        self._outputs = outputs
        self.up_error = up_error
        # (urn, op) pairs as Pulumi reports them; else ``events`` bucket creations
        self.steps = steps or [
            (f"urn:pulumi:s::green-matchers::aws:s3/bucket:Bucket::b{n}", "OpType.CREATE")
            for n in range(events)
        ]
        self.config: dict[str, str] = {}

    def outputs(self) -> dict[str, auto.OutputValue]:
        if isinstance(self._outputs, Exception):
            raise self._outputs
        return {k: auto.OutputValue(v, False) for k, v in (self._outputs or {}).items()}

    def set_config(self, key: str, value: auto.ConfigValue) -> None:
        self.config[key] = value.value

    def up(self, on_event: Any) -> Any:
        for urn, op in self.steps:  # the resources done before any failure
            kind = urn.split("::")[2]
            meta = type("Meta", (), {"urn": urn, "type": kind, "op": op})
            on_event(type("Event", (), {"res_outputs_event": type("R", (), {"metadata": meta})}))
        if self.up_error is not None:
            raise self.up_error
        return type("Up", (), {"outputs": {"phase": auto.OutputValue(2, False)}})


def command_error(text: str) -> auto.CommandError:
    result = auto.CommandResult(stdout="", stderr=text, code=255)
    return auto.CommandError(result)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> dict[str, FakeStack]:
    stacks: dict[str, FakeStack] = {}

    def select(stack_name: str, **_: Any) -> FakeStack:
        if stack_name not in stacks:
            raise auto.StackNotFoundError(
                auto.CommandResult("", f"no stack named '{stack_name}'", 255)
            )
        return stacks[stack_name]

    monkeypatch.setattr(auto, "LocalWorkspace", FakeWorkspace)
    monkeypatch.setattr(auto, "select_stack", select)
    monkeypatch.setattr(
        auto,
        "create_or_select_stack",
        lambda stack_name, **_: stacks.setdefault(stack_name, FakeStack()),
    )
    return stacks


def test_a_missing_or_never_deployed_stack_is_phase_none(
    fake: dict[str, FakeStack], tmp_path: Path
) -> None:
    engine = PulumiEngine(tmp_path)
    assert engine.deployed_phase("absent") is None
    fake["empty"] = FakeStack(outputs={})
    assert engine.deployed_phase("empty") is None
    fake["three"] = FakeStack(outputs={"phase": 3, "albDnsName": "x"})
    assert engine.deployed_phase("three") == 3


@pytest.mark.parametrize(
    ("outputs", "said"),
    [
        (
            command_error("error: getting stack outputs: ExpiredToken: the security token expired"),
            "ExpiredToken",
        ),
        ({"albDnsName": "x"}, "no phase output"),
        ({"phase": "three"}, "not a phase number"),
    ],
)
def test_an_unreadable_phase_is_an_error_never_phase_0(
    fake: dict[str, FakeStack], tmp_path: Path, outputs: Any, said: str
) -> None:
    fake["s"] = FakeStack(outputs=outputs)
    with pytest.raises(CheckFailedError, match=said):
        PulumiEngine(tmp_path).deployed_phase("s")


def test_a_promotion_stops_when_the_deployed_phase_cannot_be_read(
    fake: dict[str, FakeStack], tmp_path: Path, run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GM_INFRA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GM_INFRA_STACKS_DIR", str(tmp_path / "stacks"))
    fake["prod"] = FakeStack(outputs=command_error("error: could not read the backend: 403"))
    result = run("phase", "3", "--stack", "prod", "--engine", "pulumi", "--yes")
    assert result.exit_code == 1, result.output
    assert "cannot read which phase stack prod runs" in result.output and "403" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "stacks").exists()  # nothing written: no stack file created


def test_a_failed_up_reports_what_was_done_and_says_why(
    fake: dict[str, FakeStack], tmp_path: Path
) -> None:
    fake["s"] = FakeStack(
        up_error=command_error("error: update failed: RDS said InvalidParameter"), events=2
    )
    settings = settings_from_config("s", {"aws:region": "us-east-1", "green-matchers:phase": 1})
    seen: list[Change] = []
    with pytest.raises(
        GmError, match=r"pulumi up failed for s: error: update failed: RDS said InvalidParameter$"
    ):
        PulumiEngine(tmp_path).deploy(settings, plan_for_phase(1), seen.append)
    assert [c.name for c in seen] == ["b0", "b1"]  # the partial update was reported as it went
    assert fake["s"].config == {"green-matchers:phase": "1"}


def test_deploy_counts_cloud_resources_as_the_diff_does(
    fake: dict[str, FakeStack], tmp_path: Path
) -> None:
    plan = plan_for_phase(1)
    vpc = next(r for r in plan.resources if r.type == "aws:ec2/vpc:Vpc")
    db = next(r for r in plan.resources if r.type == "aws:rds/instance:Instance")
    component = next(r for r in plan.resources if not r.custom)
    stack_urn = "urn:pulumi:s::green-matchers::pulumi:pulumi:Stack::green-matchers-s"
    provider = "urn:pulumi:s::green-matchers::pulumi:providers:aws::default_7_0_0"
    fake["s"] = FakeStack(
        steps=[
            (stack_urn, "OpType.CREATE"),
            (provider, "OpType.CREATE"),
            (component.urn, "OpType.CREATE"),
            (vpc.urn, "OpType.CREATE"),
            # one replacement, in the three steps Pulumi reports it as
            (db.urn, "OpType.CREATE_REPLACEMENT"),
            (db.urn, "OpType.REPLACE"),
            (db.urn, "OpType.DELETE_REPLACED"),
        ]
    )
    settings = settings_from_config("s", {"aws:region": "us-east-1", "green-matchers:phase": 1})
    seen: list[Change] = []
    result = PulumiEngine(tmp_path).deploy(settings, plan, seen.append)
    assert [(c.name, c.action, c.custom) for c in result.changes][2:] == [
        (component.name, "create", False),
        (vpc.name, "create", True),
        (db.name, "replace", True),
    ]
    assert (result.count("create"), result.count("replace"), result.count("update")) == (1, 1, 0)
    assert seen == result.changes  # reported as it went


# ---- a failed rollback -------------------------------------------------------------------


class RollbackFails:
    """Deploys the promotion, then fails to deploy the previous phase again."""

    name = "pulumi"

    def __init__(self) -> None:
        self.deploys = 0

    def deployed_phase(self, stack: str) -> int | None:
        return 1

    def deployed_plan(self, stack: str) -> Any:
        return None

    def deploy(self, settings: Any, plan: Any, progress: Any) -> DeployResult:
        self.deploys += 1
        if self.deploys > 1:
            raise GmError("pulumi up failed for rb: the credentials expired mid-rollback")
        return DeployResult()

    def inventory(self, stack: str) -> Inventory:
        return Inventory(phase=2)

    def client(self, service: str, region: str) -> Any:
        raise AssertionError("no AWS call expected")


class Quiet:
    def step(self, *_: Any) -> None: ...
    def resource(self, *_: Any) -> None: ...
    def diff(self, *_: Any) -> None: ...
    def checks(self, *_: Any) -> None: ...
    def confirm(self, *_: Any) -> bool:
        return True


def test_a_failed_rollback_is_recorded_as_failed_and_leaves_the_stack_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GM_INFRA_HOME", str(tmp_path / "home"))
    stacks = tmp_path / "stacks"
    write_stack_config("rb", {"aws:region": "us-east-1", "green-matchers:phase": 1}, stacks)
    before = (stacks / "Pulumi.rb.yaml").read_text()
    monkeypatch.setattr(runner, "preflight", lambda *_: [])
    unhealthy = CheckResult("alb", "gm-web-alb", "fail", "no healthy target")
    monkeypatch.setattr(runner, "verify", lambda *_: [unhealthy])
    engine = RollbackFails()
    request = PromotionRequest(stack="rb", phase=2, stacks_dir=stacks, yes=True, validate=False)
    with pytest.raises(CheckFailedError) as raised:
        Promotion(engine, request, Quiet()).run()
    assert "not rolled back (pulumi up failed for rb" in raised.value.message
    assert engine.deploys == 2
    assert (stacks / "Pulumi.rb.yaml").read_text() == before  # not rewritten
    assert read_stack_config("rb", stacks)["green-matchers:phase"] == 1
    assert [h["result"] for h in read_history("rb")] == ["rollback-failed"]
