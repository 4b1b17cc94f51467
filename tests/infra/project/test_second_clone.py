"""The project is where you stand: from a second clone, gm-infra reads that clone's stack
files and program, resolves that clone's git refs and writes its stack files, caches and
state there (or under GM_INFRA_HOME), never in the folder it was installed from."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from infra.emulator.server import Emulator
from tests.infra.project.conftest import REPO, git, gm

PHASE2 = Path("infra/stacks/Pulumi.phase2.yaml")


def _write_stack(clone: Path, name: str, config: dict[str, object]) -> Path:
    path = clone / "infra" / "stacks" / f"Pulumi.{name}.yaml"
    path.write_text(yaml.safe_dump({"config": config}))
    return path


def test_plan_of_a_stack_file_only_the_clone_has(clone: Path, tmp_path: Path) -> None:
    _write_stack(
        clone,
        "onlyhere",
        {
            "aws:region": "us-east-1",
            "green-matchers:phase": 1,
            "green-matchers:api": {"maxSize": 7},
        },
    )
    assert not (REPO / "infra" / "stacks" / "Pulumi.onlyhere.yaml").exists()
    home = tmp_path / "home"
    result = gm(
        clone / "infra", "plan", "--stack", "onlyhere", "--json", env={"GM_INFRA_HOME": str(home)}
    )
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    assert plan["stack"] == "onlyhere"
    groups = [r for r in plan["resources"] if r["type"] == "aws:autoscaling/group:Group"]
    assert [g["inputs"]["maxSize"] for g in groups] == [7]
    # The plan cache is GM_INFRA_HOME's, not the clone's nor the install's.
    assert list((home / "cache" / "plans").glob("*.json"))
    assert not (clone / ".gm-infra" / "cache").exists()


def test_without_gm_infra_home_the_cache_is_the_clones(clone: Path) -> None:
    result = gm(clone, "plan", "--phase", "1", "--json", env={"GM_INFRA_HOME": ""})
    assert result.returncode == 0, result.stderr
    assert list((clone / ".gm-infra" / "cache" / "plans").glob("*.json"))


def test_preview_of_a_branch_that_changes_a_stack_file(clone: Path, tmp_path: Path) -> None:
    git(clone, "checkout", "--quiet", "-b", "bigger-api")
    path = clone / PHASE2
    data = yaml.safe_load(path.read_text())
    data["config"]["green-matchers:api"] = {
        "instanceType": "m6i.large",
        "desiredCapacity": 4,
        "maxSize": 12,
    }
    path.write_text(yaml.safe_dump(data))
    git(clone, "commit", "--quiet", "-am", "phase2: a bigger api fleet")
    home = {"GM_INFRA_HOME": str(tmp_path / "home")}
    result = gm(
        clone,
        "preview",
        "--base-ref",
        "trunk-here",
        "--stacks",
        "phase2",
        "--no-validate",
        "--json",
        env=home,
    )
    assert result.returncode == 0, result.stderr
    preview = json.loads(result.stdout)
    assert preview["base"].startswith("trunk-here@")
    assert preview["ok"] is True  # every verdict's JSON carries "ok"
    targets = {t["target"]: t for t in preview["targets"]}
    assert list(targets) == ["phase2"], targets.keys()  # the stack, not the bare profiles
    phase2 = targets["phase2"]
    assert phase2["cost"]["delta"] > 100  # four m6i.large instead of three t3.medium
    changed = {c["name"]: c for c in phase2["diff"]["changed"]}
    assert any("m6i.large" in json.dumps(c) for c in changed.values())
    # No worktree of the preview is left registered in the clone.
    assert git(clone, "worktree", "list").count("\n") == 1
    # The comment (plans now cached): labelled as the stack, and honest about validation.
    shown = gm(clone, "preview", "--base-ref", "trunk-here", "--no-validate", env=home)
    assert shown.returncode == 0, shown.stderr
    assert "**1 of 1 changed** · monthly cost +$" in shown.stdout
    assert "validation not run (--no-validate)" in shown.stdout
    assert "### `phase2`" in shown.stdout
    # diff --base-ref alone covers the same stacks; --exit-code says they differ.
    diffed = gm(clone, "diff", "--base-ref", "trunk-here", "--json", "--exit-code", env=home)
    assert diffed.returncode == 1, diffed.stderr
    body = json.loads(diffed.stdout)
    assert list(body["stacks"]) == ["phase2"] and body["stacks"]["phase2"]["changed"]
    assert body["ok"] is False


def test_a_stack_new_on_the_branch_previews_as_all_new(clone: Path, tmp_path: Path) -> None:
    git(clone, "checkout", "--quiet", "-b", "new-stack")
    _write_stack(clone, "brandnew", {"aws:region": "us-east-1", "green-matchers:phase": 1})
    git(clone, "add", "-A")
    git(clone, "commit", "--quiet", "-m", "a new stack")
    home = {"GM_INFRA_HOME": str(tmp_path / "home")}
    result = gm(clone, "preview", "--base-ref", "trunk-here", "--no-validate", "--json", env=home)
    assert result.returncode == 0, result.stderr
    (target,) = json.loads(result.stdout)["targets"]
    assert target["target"] == "brandnew"
    assert target["diff"]["added"] and not target["diff"]["changed"]
    assert target["cost"]["before"]["total"] == 0 and target["cost"]["delta"] > 0


def test_an_unknown_ref_of_the_clone_is_bad_input(clone: Path) -> None:
    result = gm(clone, "preview", "--base-ref", "no-such-branch", "--no-validate")
    assert result.returncode == 2
    assert "git ref 'no-such-branch' does not exist" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) <= 3


def test_phase_writes_the_new_stack_file_into_the_clone(
    clone: Path, emu: Emulator, tmp_path: Path
) -> None:
    env = {"GM_INFRA_HOME": str(tmp_path / "home"), "AWS_ENDPOINT_URL": emu.endpoint}
    args = ("phase", "1", "--stack", "clonestack", "--engine", "local", "--yes", "--no-validate")
    result = gm(clone, *args, env=env)
    assert result.returncode == 0, result.stderr + result.stdout
    written = clone / "infra" / "stacks" / "Pulumi.clonestack.yaml"
    assert yaml.safe_load(written.read_text())["config"]["green-matchers:phase"] == 1
    assert not (REPO / "infra" / "stacks" / "Pulumi.clonestack.yaml").exists()
    assert (tmp_path / "home" / "state" / "clonestack.json").exists()


def test_outside_any_project_it_says_so_in_one_line(tmp_path: Path) -> None:
    outside = tmp_path / "nowhere"
    outside.mkdir()
    result = gm(outside, "plan", "--phase", "1", env={"GM_INFRA_HOME": ""})
    assert result.returncode == 2
    first, *rest = result.stderr.splitlines()
    assert first.startswith("error: not inside a green-matchers project: no Pulumi.yaml in")
    assert len(rest) <= 1 and "Traceback" not in result.stderr
