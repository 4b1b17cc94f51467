"""The promotion's reshard step on an AWS engine (moto behind a stand-in for the pulumi
engine, whose ``pulumi up`` cannot run here): when it runs, what it reports, and what a
failed or unverified reshard leaves behind."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from infra.engines.base import Inventory
from infra.errors import CheckFailedError
from infra.promotion.history import history_file
from infra.promotion.runner import PHASE_KEY, Promotion, PromotionOutcome, PromotionRequest
from infra.settings import settings_from_config
from infra.stack_files import read_stack_config
from tests.infra.remote.ssm_fakes import IDLE_STATUS, SUMMARY, Instance, ok, options


class AwsEngine:
    """The pulumi engine's AWS side: clients and the stack's groups."""

    name = "pulumi"

    def __init__(self, clients: dict[str, Any], groups: list[str]):
        self.clients, self.groups = clients, groups

    def client(self, service: str, region: str) -> Any:
        return self.clients[service]

    def inventory(self, stack: str) -> Inventory:
        return Inventory(phase=3, auto_scaling_groups=dict.fromkeys(self.groups, 1))


class Steps:
    def __init__(self) -> None:
        self.seen: list[tuple[str, str, str]] = []

    def step(self, name: str, status: str, detail: str = "") -> None:
        self.seen.append((name, status, detail))

    def resource(self, change: Any) -> None: ...
    def diff(self, diff: Any) -> None: ...
    def checks(self, title: str, results: Any) -> None: ...
    def confirm(self, question: str) -> bool | None:
        return True


def promotion(aws: dict[str, Any], tmp_path: Path, engine_name: str = "pulumi") -> Promotion:
    engine = AwsEngine(aws, aws["groups"])
    engine.name = engine_name
    request = PromotionRequest(stack="s", phase=3, stacks_dir=tmp_path / "stacks", yes=True)
    return Promotion(engine, request, Steps(), options())  # type: ignore[arg-type]


def step(p: Promotion) -> tuple[PromotionOutcome, bool]:
    config = {PHASE_KEY: 3, "aws:region": "us-east-1"}
    outcome = PromotionOutcome("s", p.engine.name, 2, 3)
    moved = p._reshard_step(outcome, settings_from_config("s", config), config)
    return outcome, moved


@pytest.fixture(autouse=True)
def home(tmp_path: Path, gm_home: Path) -> None:
    (tmp_path / "stacks").mkdir()


def test_the_step_runs_for_2_to_3_and_reruns_on_aws_only(aws: dict[str, Any], tmp_path: Path):
    on_aws = promotion(aws, tmp_path)
    assert on_aws._reshards(2) and on_aws._reshards(3)  # promote, or rerun to resume
    assert not on_aws._reshards(4)  # a downgrade never reshards
    local = promotion(aws, tmp_path, "local")
    assert local._reshards(2) and not local._reshards(3)


def test_a_verified_reshard_is_reported_with_its_figures(aws: dict[str, Any], tmp_path: Path):
    Instance(aws["ssm"], status=[ok(IDLE_STATUS)], run=[ok(SUMMARY)])
    p = promotion(aws, tmp_path)
    outcome, moved = step(p)
    assert moved and outcome.reshard["verified"] is True
    [(name, status, detail)] = [(s["step"], s["status"], s["detail"]) for s in outcome.steps]
    assert (name, status) == ("reshard", "ok")
    assert "60000 rows copied" in detail and "812 users moved" in detail
    assert any(status == "running" for _n, status, _d in p.reporter.seen)  # type: ignore[attr-defined]


def test_an_unverified_reshard_stops_the_promotion_and_keeps_the_deploy(
    aws: dict[str, Any], tmp_path: Path
):
    Instance(aws["ssm"], status=[ok(IDLE_STATUS)], run=[ok({**SUMMARY, "verified": False})])
    p = promotion(aws, tmp_path)
    with pytest.raises(CheckFailedError) as raised:
        step(p)
    assert "verification did not pass" in raised.value.message
    assert "rerun gm-infra phase 3 --stack s" in (raised.value.hint or "")
    # the stack file says what runs (phase 3, app following the map), the history says why
    assert read_stack_config("s", tmp_path / "stacks")[PHASE_KEY] == 3
    last = json.loads(history_file("s").read_text().splitlines()[-1])
    assert last["result"] == "reshard-stopped"


def test_the_local_engine_shows_the_step_not_emulated(aws: dict[str, Any], tmp_path: Path):
    instance = Instance(aws["ssm"], status=[ok(IDLE_STATUS)], run=[ok(SUMMARY)])
    outcome, moved = step(promotion(aws, tmp_path, "local"))
    assert not moved and not instance.sent
    assert [s["status"] for s in outcome.steps] == ["not-emulated"]


class StackEngine(AwsEngine):
    """A whole promotion 2 -> 3 whose deploy changes nothing (pulumi up cannot run here)."""

    def deployed_phase(self, stack: str) -> int:
        return 2

    def deployed_plan(self, stack: str) -> Any:
        from infra.plan.build import record_plan

        return record_plan(settings_from_config(stack, {PHASE_KEY: 2, "aws:region": "us-east-1"}))

    def deploy(self, settings: Any, plan: Any, progress: Any) -> Any:
        from infra.engines.base import DeployResult

        self.deployed = [*getattr(self, "deployed", []), settings.phase]
        return DeployResult()

    def client(self, service: str, region: str) -> Any:
        import boto3

        return self.clients.get(service) or boto3.client(service, region_name=region)


def test_a_failed_verify_after_the_data_moved_does_not_roll_back_to_phase_2(
    aws: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # moto's account has the default quotas, below phase 3's plan; preflight has its own tests
    monkeypatch.setattr("infra.promotion.runner.preflight", lambda *_a: [])
    Instance(aws["ssm"], status=[ok(IDLE_STATUS)], run=[ok(SUMMARY)])
    engine = StackEngine(aws, aws["groups"])
    request = PromotionRequest(
        stack="s", phase=3, stacks_dir=tmp_path / "stacks", yes=True, validate=False
    )
    p = Promotion(engine, request, Steps(), options())  # type: ignore[arg-type]
    with pytest.raises(CheckFailedError) as raised:
        p.run()  # moto's account has no load balancer: verify fails after the reshard
    assert "not rolled back" in raised.value.message
    assert "--rollback" in (raised.value.hint or "")
    assert engine.deployed == [3]  # no second deploy back to phase 2
    assert read_stack_config("s", tmp_path / "stacks")[PHASE_KEY] == 3
    last = json.loads(history_file("s").read_text().splitlines()[-1])
    assert last["result"] == "verify-failed"
