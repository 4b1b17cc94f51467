"""Diff: identical plans, property changes, replaced and deleted stateful resources, markdown."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from typer.testing import CliRunner

from cli import app
from infra.diff.compute import diff_plans, flatten
from infra.errors import BadInputError
from infra.plan.gitref import plan_at_ref
from infra.plan.model import Plan
from tests.infra.factories import compliant, compliant_plan, plan_of, res, with_inputs


def test_identical_plans_have_an_empty_diff() -> None:
    assert diff_plans(compliant_plan(), compliant_plan()).empty


def test_flatten_paths() -> None:
    assert flatten({"a": {"b": [1, {"c": 2}]}, "d": []}) == {"a.b[0]": 1, "a.b[1].c": 2, "d": []}


def test_update_lists_property_before_and_after() -> None:
    asg = with_inputs(compliant()["asg"], desiredCapacity=4)
    diff = diff_plans(compliant_plan(), compliant_plan(asg=asg))
    (change,) = diff.changed
    assert change.action == "update" and change.name == "gm-api-asg"
    assert [(p.path, p.before, p.after) for p in change.properties] == [("desiredCapacity", 2, 4)]
    assert diff.warnings == []


def test_replaced_database_is_flagged() -> None:
    db = with_inputs(compliant()["db"], storageEncrypted=False, instanceClass="db.t3.large")
    diff = diff_plans(compliant_plan(), compliant_plan(db=db))
    (change,) = diff.changed
    assert change.action == "replace" and change.stateful
    assert "REPLACED" in (change.warning or "") and "storageEncrypted" in (change.warning or "")
    assert [p.path for p in change.properties if p.replaces] == ["storageEncrypted"]


def test_deleted_bucket_and_urn_change_are_flagged() -> None:
    resources = compliant()
    before = plan_of(*resources.values())
    del resources["bucket"]
    moved = res("aws:rds/instance:Instance", "gm-db", resources["db"].inputs)
    moved = type(moved)(
        moved.urn.replace("::aws:rds", "::green-matchers:data:Database$aws:rds"),
        moved.type,
        moved.name,
        True,
        None,
        moved.inputs,
    )
    resources["db"] = moved
    diff = diff_plans(before, plan_of(*resources.values()))
    warnings = {c.name: c.warning for c in diff.warnings}
    assert "DELETES" in warnings["gm-assets"]
    assert "URN changes" in warnings["gm-db"]


def test_phase_stack_names_are_not_changes(phase_plans: dict[int, Plan]) -> None:
    diff = diff_plans(phase_plans[1], phase_plans[2])
    assert diff.removed == [] and diff.warnings == []
    names = {c.name for c in diff.changed}
    assert {"gm-db", "gm-redis", "gm-api-asg"} <= names
    assert any(c.name == "gm-db-replica-1" for c in diff.added)


def test_diff_json_through_the_cli(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(compliant_plan().to_json())
    db = with_inputs(compliant()["db"], engine="postgres")
    (tmp_path / "b.json").write_text(compliant_plan(db=db).to_json())
    result = runner.invoke(
        app,
        [
            "diff",
            "--from-plan",
            str(tmp_path / "a.json"),
            "--to-plan",
            str(tmp_path / "b.json"),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["added"] == [] and data["removed"] == []
    (changed,) = data["changed"]
    assert {"urn", "type", "name", "properties"} <= changed.keys()
    assert changed["action"] == "replace"


def test_markdown_has_headline_details_policy_and_diagram(runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["diff", "--from-phase", "1", "--to-phase", "2", "--format", "markdown"]
    )
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "to add" in text.split("\n")[3] and "monthly cost +$" in text
    assert "<details><summary>Changed resources" in text
    assert "#### Policy" in text and "Policy passed" in text
    assert "```mermaid\nflowchart LR" in text


def test_ref_without_a_plan_builder_is_a_clear_error(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git = ["git", "-C", str(repo), "-c", "user.email=t@t", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], check=True)
    (repo / "README.md").write_text("old\n")
    subprocess.run([*git, "add", "README.md"], check=True)
    subprocess.run([*git, "commit", "-qm", "old"], check=True)
    try:
        plan_at_ref("HEAD", phase=1, repo=repo)
    except BadInputError as error:
        assert "no plan builder" in error.message
    else:
        raise AssertionError("expected BadInputError")
    try:
        plan_at_ref("no-such-ref", phase=1, repo=repo)
    except BadInputError as error:
        assert "does not exist" in error.message
    else:
        raise AssertionError("expected BadInputError")
