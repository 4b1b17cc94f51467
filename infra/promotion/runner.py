"""The promotion step runner: validate, preflight, diff, confirm, deploy, verify, record.

A failed verify rolls the stack back to the previous phase's settings (same engine) and the
promotion ends with exit 1. Each step is reported as it runs through a ``Reporter``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from infra.checks.preflight import preflight
from infra.checks.results import CheckResult, failures
from infra.checks.verify import VerifyOptions, verify
from infra.diff.model import PlanDiff
from infra.engines.base import Action, Change, DeployResult, Engine
from infra.errors import BadInputError, CheckFailedError, GmError
from infra.phases import SHARDED_PHASE
from infra.plan.build import cached_plan
from infra.plan.model import Plan
from infra.promotion.gate import blocking, plan_diff, retained
from infra.promotion.history import HistoryEntry, now, record
from infra.remote.reshard_flow import RemoteOptions, remote_reshard
from infra.settings import PROJECT, Settings, settings_from_config
from infra.stack_files import DEFAULT_REGION, read_stack_config, stack_file, write_stack_config

PHASE_KEY = f"{PROJECT}:phase"

# Reads the shard map's status at shard 0's URL (gm-infra phase passes the app's reader).
ShardMapStatus = Callable[[str], str]


def _no_shard_map_reader(shard_map_url: str) -> str:
    raise BadInputError(
        "this promotion cannot read a shard map", hint="run it with gm-infra phase --shard-map"
    )


class Reporter(Protocol):
    def step(self, name: str, status: str, detail: str = "") -> None: ...
    def resource(self, change: Change) -> None: ...
    def diff(self, diff: PlanDiff) -> None: ...
    def checks(self, title: str, results: list[CheckResult]) -> None: ...
    def confirm(self, question: str) -> bool | None: ...


@dataclass(frozen=True)
class PromotionRequest:
    stack: str
    phase: int
    stacks_dir: Path
    yes: bool = False
    force: bool = False
    allow_downgrade: bool = False
    check_only: bool = False  # stop after preflight and diff: nothing is written or deployed
    region: str = DEFAULT_REGION
    verify_options: VerifyOptions = field(default_factory=VerifyOptions)
    # Policy and validation (cfn-lint, checkov, limits) before preflight; off only for
    # rehearsals that re-run plans the tests already judge.
    validate: bool = True
    shard_map_url: str | None = None  # shard 0, where a 3 -> 2 downgrade checks the map
    shard_map_status: ShardMapStatus = _no_shard_map_reader


@dataclass
class PromotionOutcome:
    stack: str
    engine: str
    from_phase: int
    to_phase: int
    result: str = "pending"
    steps: list[dict[str, str]] = field(default_factory=list)
    preflight: list[dict[str, Any]] = field(default_factory=list)
    diff: dict[str, Any] = field(default_factory=dict)
    deploy: dict[str, int] = field(default_factory=dict)
    verify: list[dict[str, Any]] = field(default_factory=list)
    not_emulated: list[str] = field(default_factory=list)
    reshard: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The outcome; ``ok`` (every verdict's key) is true when promoted or checked."""
        return {"ok": self.result in ("promoted", "checked"), **self.__dict__}


def stack_config_for(request: PromotionRequest) -> tuple[dict[str, Any], bool]:
    """The stack's config; a missing stack file's config comes from the phase profile (the
    file itself is written only once the deploy starts, and removed unless it commits)."""
    if stack_file(request.stack, request.stacks_dir).exists():
        return read_stack_config(request.stack, request.stacks_dir), False
    return {"aws:region": request.region, PHASE_KEY: request.phase}, True


def check_step(from_phase: int, to_phase: int, force: bool, allow_downgrade: bool) -> None:
    """One phase step at a time; going down only when asked for."""
    if from_phase and to_phase < from_phase and not allow_downgrade:
        raise BadInputError(
            f"phase {to_phase} is below the running phase {from_phase}",
            hint="going down needs --allow-downgrade (data-bearing resources are kept)",
        )
    if from_phase and to_phase > from_phase + 1 and not force:
        raise BadInputError(
            f"phase {from_phase} -> {to_phase} skips a phase",
            hint=f"promote to phase {from_phase + 1} first, or pass --force",
        )


MERGED = ("idle", "rolled_back")  # every user's rows are on shard 0 again


def check_merge(
    from_phase: int,
    to_phase: int,
    shard_map_url: str | None,
    read_status: ShardMapStatus,
) -> None:
    """Below phase 3 the app reads only shard 0: refuse unless the shard map says every
    user's rows are back there (``gm-infra app reshard --rollback``, then ``--cleanup``).

    ``read_status`` reads the map's status (a BadInputError when it cannot); the command
    passes the app's reader, so the promotion itself never imports the app."""
    if not (from_phase >= SHARDED_PHASE > to_phase):
        return
    merge = "gm-infra app reshard --rollback, then --cleanup (the merge back to shard 0)"
    if not shard_map_url:
        raise BadInputError(
            f"phase {from_phase} -> {to_phase} leaves only shard 0, and after a reshard users' "
            "rows live on shards 1..N-1",
            hint=f"run {merge}; then pass --shard-map <shard 0 URL> so the map can be checked",
        )
    current = read_status(shard_map_url)
    if current not in MERGED:
        raise BadInputError(
            f"the shard map says {current!r}: users' rows are not all on shard 0",
            hint=f"run {merge} first",
        )


class Promotion:
    def __init__(
        self,
        engine: Engine,
        request: PromotionRequest,
        reporter: Reporter,
        remote_options: RemoteOptions | None = None,
    ):
        self.engine = engine
        self.request = request
        self.reporter = reporter
        self.remote_options = remote_options  # SSM polling (tests shorten it)
        self.kept_at_new_phase = False  # verify failed after the reshard: no rollback

    def _step(self, outcome: PromotionOutcome, name: str, status: str, detail: str = "") -> None:
        outcome.steps.append({"step": name, "status": status, "detail": detail})
        self.reporter.step(name, status, detail)

    def run(self) -> PromotionOutcome:
        """Promote; a stack file this run creates stays only if the promotion commits."""
        req = self.request
        from_phase = self.engine.deployed_phase(req.stack) or 0
        outcome = PromotionOutcome(req.stack, self.engine.name, from_phase, req.phase)
        config, created = stack_config_for(req)
        try:
            return self._promote(outcome, config, created)
        finally:
            # After rows moved to the shards a failed verify leaves the stack at the new phase
            # on purpose (no rollback), and its file says so.
            if created and outcome.result != "promoted" and not self.kept_at_new_phase:
                stack_file(req.stack, req.stacks_dir).unlink(missing_ok=True)

    def _promote(
        self, outcome: PromotionOutcome, config: dict[str, Any], created: bool
    ) -> PromotionOutcome:
        req = self.request
        from_phase = outcome.from_phase

        # 1. settings
        new_config = {**config, PHASE_KEY: req.phase}
        settings = settings_from_config(req.stack, new_config)
        check_step(from_phase, req.phase, req.force, req.allow_downgrade)
        check_merge(from_phase, req.phase, req.shard_map_url, req.shard_map_status)
        self._step(
            outcome,
            "settings",
            "ok",
            f"{_made(created, req.check_only)}{stack_file(req.stack, req.stacks_dir).name}"
            f", phase {from_phase or '-'} -> {req.phase}, region {settings.region}",
        )
        plan = cached_plan(settings)  # the plan cache: a pure function of settings and sources

        # 1b. policy and validation, offline: an invalid plan never reaches the account
        if req.validate:
            from infra.promotion.judges import judge  # imported here: cfn-lint takes ~1 s

            rows, _ = judge(plan, settings.region)
            self.reporter.checks("policy and validation", rows)
            if failures(rows):
                self._step(outcome, "validate", "fail", _names(failures(rows)))
                return self._refuse(outcome, "policy/validation failed: " + _names(failures(rows)))
            self._step(outcome, "validate", "ok", f"{len(rows)} checks")

        # 2. preflight (quotas count what the stack runs today once, not twice)
        before = self.engine.deployed_plan(req.stack)
        results = preflight(
            plan, settings.region, lambda s: self.engine.client(s, settings.region), before
        )
        outcome.preflight = [r.to_dict() for r in results]
        self.reporter.checks("preflight", results)
        if failures(results):
            self._step(outcome, "preflight", "fail", _names(failures(results)))
            return self._refuse(outcome, "preflight failed: " + _names(failures(results)))
        self._step(outcome, "preflight", "ok", f"{len(results)} checks")

        # 3. diff and its gate
        diff = plan_diff(before, plan)
        outcome.diff = diff.to_dict()
        self.reporter.diff(diff)
        reasons = blocking(diff, before, req.allow_downgrade)
        summary = (
            f"{len(diff.added)} to add, {len(diff.changed)} to change "
            f"({len(diff.replaced)} replaced), {len(diff.removed)} to remove"
        )
        if reasons:
            self._step(outcome, "diff", "fail", "; ".join(reasons))
            return self._refuse(outcome, "the diff touches data: " + "; ".join(reasons))
        kept = retained(diff, before)
        self._step(
            outcome,
            "diff",
            "ok",
            summary + (f"; kept (protected): {', '.join(kept)}" if kept else ""),
        )

        if req.check_only:
            outcome.result = "checked"
            return outcome

        # 4. confirm
        if not req.yes:
            answer = self.reporter.confirm(
                f"Promote {req.stack} to phase {req.phase} on {self.engine.name}?"
            )
            if answer is None:
                raise BadInputError(
                    "no terminal to confirm on", hint="pass --yes to promote without a prompt"
                )
            if not answer:
                self._step(outcome, "confirm", "fail", "declined")
                return self._refuse(outcome, "declined at the prompt")
        self._step(outcome, "confirm", "ok", "--yes" if req.yes else "confirmed")

        # 5. deploy (the pulumi program reads the stack file: a new one is written now)
        if created:
            write_stack_config(req.stack, config, req.stacks_dir)
        deployed = self.engine.deploy(settings, plan, self.reporter.resource)
        outcome.deploy = _counts(deployed)
        outcome.not_emulated = sorted(
            f"{c.name}: {c.note}" for c in deployed.changes if not c.emulated
        )
        done = ", ".join(f"{n} {a}" for a, n in outcome.deploy.items() if n)
        self._step(outcome, "deploy", "ok", done or "nothing to change: the stack already matches")

        moved = False
        if self._reshards(from_phase):
            moved = self._reshard_step(outcome, settings, new_config)

        # 6. verify
        checks = verify(
            self.engine.inventory(req.stack),
            lambda s: self.engine.client(s, settings.region),
            req.verify_options,
        )
        outcome.verify = [c.to_dict() for c in checks]
        self.reporter.checks("verify", checks)
        failed = failures(checks)
        if failed:
            self._step(outcome, "verify", "fail", _names(failed))
            if moved and from_phase < SHARDED_PHASE:
                # Phase 2 reads only shard 0: going back now would hide the moved rows.
                write_stack_config(req.stack, new_config, req.stacks_dir)
                self.kept_at_new_phase = True
                outcome.result = "verify-failed"
                self._step(outcome, "rollback", "skipped", "rows moved to the shards")
                record(
                    HistoryEntry(
                        now(), req.stack, from_phase, req.phase, self.engine.name,
                        "verify-failed", _names(failed),
                    )
                )  # fmt: skip
                raise CheckFailedError(
                    f"verify failed after promoting {req.stack} to phase {req.phase}: "
                    f"{_names(failed)}; not rolled back, since users' rows now live on the "
                    "shards and phase 2 reads only shard 0",
                    hint=f"fix and rerun gm-infra verify --stack {req.stack}; to go back, merge "
                    "first (gm-infra app reshard --rollback, then --cleanup, on a worker)",
                )
            rolled_back = self._rollback(outcome, config, from_phase)
            if not rolled_back:
                why = outcome.steps[-1]["detail"]
                raise CheckFailedError(
                    f"verify failed after promoting {req.stack} to phase {req.phase}: "
                    f"{_names(failed)}; not rolled back ({why}): the stack runs what the "
                    "deploy left, and its stack file was not rewritten",
                    hint=f"gm-infra verify --stack {req.stack} --engine {self.engine.name}; "
                    f"then rerun gm-infra phase {req.phase} or gm-infra phase {from_phase} "
                    "--allow-downgrade",
                )
            raise CheckFailedError(
                f"verify failed after promoting {req.stack} to phase {req.phase}: "
                f"{_names(failed)}; rolled back to phase {from_phase or 'none'}",
                hint=f"gm-infra verify --stack {req.stack} --engine {self.engine.name}",
            )
        self._step(outcome, "verify", "ok", f"{len(checks)} checks")

        # 7. record
        write_stack_config(req.stack, new_config, req.stacks_dir)
        outcome.result = "promoted"
        path = record(
            HistoryEntry(
                now(), req.stack, from_phase, req.phase, self.engine.name, "promoted", summary
            )
        )
        self._step(outcome, "record", "ok", str(path))
        return outcome

    def _reshards(self, from_phase: int) -> bool:
        """2 -> 3 moves the data; on AWS a rerun at phase 3 or above resumes (or confirms) it."""
        phase = self.request.phase
        if self.engine.name == "local":
            return from_phase < SHARDED_PHASE <= phase
        return phase >= SHARDED_PHASE and from_phase <= phase

    def _reshard_step(
        self, outcome: PromotionOutcome, settings: Settings, new_config: dict[str, Any]
    ) -> bool:
        """Move every user's rows to shard user_id % N; True when rows moved (or had).

        The deploy already rolled the new configuration: an app started with the shard URLs
        and the trivial map routes everyone to shard 0, which is correct. The reshard waits
        until every instance runs that configuration (an old app writes only to shard 0
        whatever the map says), then runs on a worker through SSM Run Command.
        """
        if self.engine.name == "local":
            note = (
                "reshard: the emulator's databases hold no rows; rehearse the data move with "
                "gm-infra app reshard against local MariaDB (README: Local data rehearsal)"
            )
            outcome.not_emulated.append(note)
            self._step(outcome, "reshard", "not-emulated", note.split(": ", 1)[1])
            return False
        req = self.request
        shards = settings.config.database.shards
        inventory = self.engine.inventory(req.stack)
        region = settings.region

        def say(message: str) -> None:
            self.reporter.step("reshard", "running", message)

        try:
            summary = remote_reshard(
                self.engine.client("autoscaling", region),
                self.engine.client("ssm", region),
                sorted(inventory.auto_scaling_groups),
                shards,
                req.stack,
                req.phase,
                say,
                self.remote_options,
            )
        except CheckFailedError as error:
            # The deploy stands (the app follows the map, so nothing is hidden): record the
            # phase it runs, stop before verify lets traffic count as promoted.
            write_stack_config(req.stack, new_config, req.stacks_dir)
            outcome.result = "reshard-stopped"
            self._step(outcome, "reshard", "fail", error.message)
            record(
                HistoryEntry(
                    now(),
                    req.stack,
                    outcome.from_phase,
                    req.phase,
                    self.engine.name,
                    "reshard-stopped",
                    error.message,
                )
            )
            raise
        outcome.reshard = summary
        if summary.get("already"):
            self._step(outcome, "reshard", "ok", "the shard map already says done")
        else:
            self._step(
                outcome,
                "reshard",
                "ok",
                f"{summary.get('rows_copied', 0)} rows copied "
                f"({summary.get('rows_per_s', 0)} rows/s), {summary.get('users_moved', 0)} "
                f"users moved, verified, longest pause {summary.get('pause_ms_max', 0)} ms",
            )
        return True

    def _refuse(
        self, outcome: PromotionOutcome, why: str, raise_error: bool = True
    ) -> PromotionOutcome:
        outcome.result = "refused"
        record(
            HistoryEntry(
                now(),
                outcome.stack,
                outcome.from_phase,
                outcome.to_phase,
                outcome.engine,
                "refused",
                why,
            )
        )
        if raise_error:
            raise CheckFailedError(
                f"promotion refused: {why}", hint="nothing was changed; see the steps above"
            )
        return outcome

    def _rollback(self, outcome: PromotionOutcome, config: dict[str, Any], from_phase: int) -> bool:
        """Deploy the previous phase again; True when it was deployed. Only a rollback that
        was deployed rewrites the stack file and is recorded as ``rolled-back``; a failed one
        is recorded as ``rollback-failed`` and leaves the stack file as it was."""
        req = self.request
        if not from_phase:
            self._step(outcome, "rollback", "fail", "no earlier phase to roll back to")
            return self._rolled(outcome, from_phase, "verify-failed", "no earlier phase")
        previous: Settings = settings_from_config(req.stack, {**config, PHASE_KEY: from_phase})
        plan: Plan = cached_plan(previous)
        try:
            result = self.engine.deploy(previous, plan, self.reporter.resource)
        except GmError as error:
            self._step(outcome, "rollback", "fail", error.message)
            return self._rolled(outcome, from_phase, "rollback-failed", error.message)
        self._step(
            outcome,
            "rollback",
            "ok",
            f"back to phase {from_phase}: "
            + ", ".join(f"{n} {a}" for a, n in _counts(result).items() if n),
        )
        write_stack_config(req.stack, {**config, PHASE_KEY: from_phase}, req.stacks_dir)
        return self._rolled(outcome, from_phase, "rolled-back", "verify failed")

    def _rolled(self, outcome: PromotionOutcome, from_phase: int, result: str, why: str) -> bool:
        req = self.request
        outcome.result = result
        record(
            HistoryEntry(
                now(), req.stack, from_phase, req.phase, self.engine.name, result, why
            )
        )  # fmt: skip
        return result == "rolled-back"


def _made(created: bool, check_only: bool) -> str:
    if not created:
        return ""
    return "would create " if check_only else "new (written when the promotion commits) "


def _counts(result: DeployResult) -> dict[str, int]:
    actions: tuple[Action, ...] = ("create", "update", "replace", "delete", "retain")
    return {a: result.count(a) for a in actions}


def _names(results: list[CheckResult]) -> str:
    return "; ".join(f"{r.check} {r.target}: {r.detail}" for r in results)
