"""The default preview targets: the stacks whose file changed, or every stack when what
every stack is built from changed (program, profiles, templates, app)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from infra.preview.affected import affected_targets, builds_every_stack, stack_at


def _git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    done = subprocess.run(
        ["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, str]:
    root = tmp_path / "repo"
    stacks = root / "infra" / "stacks"
    stacks.mkdir(parents=True)
    for name in ("phase1", "phase2", "prod"):
        (stacks / f"Pulumi.{name}.yaml").write_text("config: {}\n")
    (root / "infra" / "program.py").write_text("A = 1\n")
    (root / "README.md").write_text("hello\n")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "base")
    return root, _git(root, "rev-parse", "HEAD")


def _names(repo: tuple[Path, str]) -> list[str]:
    root, sha = repo
    return [t.value for t in affected_targets(sha, root, root / "infra" / "stacks").targets]


def test_a_changed_stack_file_is_that_stack_only(repo: tuple[Path, str]) -> None:
    root, _ = repo
    (root / "infra" / "stacks" / "Pulumi.phase2.yaml").write_text("config: {a: 1}\n")
    assert _names(repo) == ["phase2"]


def test_a_new_stack_file_is_previewed_and_has_no_base(repo: tuple[Path, str]) -> None:
    root, sha = repo
    (root / "infra" / "stacks" / "Pulumi.staging.yaml").write_text("config: {}\n")
    assert _names(repo) == ["staging"]
    assert not stack_at(sha, root, root / "infra" / "stacks", "staging")
    assert stack_at(sha, root, root / "infra" / "stacks", "prod")


def test_a_program_change_previews_every_stack(repo: tuple[Path, str]) -> None:
    root, _ = repo
    (root / "infra" / "program.py").write_text("A = 2\n")
    assert _names(repo) == ["phase1", "phase2", "prod"]


def test_a_change_that_deploys_nothing_previews_no_stack(repo: tuple[Path, str]) -> None:
    root, _ = repo
    (root / "README.md").write_text("changed\n")
    (root / "infra" / "stacks" / "notes.txt").write_text("not a stack file\n")
    assert _names(repo) == []


@pytest.mark.parametrize(
    ("path", "every"),
    [
        ("infra/phases/profiles.yaml", True),
        ("infra/components/fleet.py", True),
        ("templates/userdata/boot.sh.j2", True),
        ("app/main.py", True),
        ("pyproject.toml", True),
        ("infra/stacks/Pulumi.phase2.yaml", False),
        ("README.md", False),
        ("tests/infra/test_x.py", False),
    ],
)
def test_what_every_stack_is_built_from(path: str, every: bool) -> None:
    assert builds_every_stack(path, "infra/stacks") is every
