"""The preview job, run without GitHub: its shell steps, read from the workflow file itself,
in a throw-away clone with a base and a head commit, produce the comment.

Substituted (and only these): ``actions/checkout`` is the throw-away repository itself (with
``origin/main`` pointing at the base commit); ``actions/setup-python`` and the install step
are the already-installed test virtualenv, with a ``gm-infra`` on PATH that runs the clone's
code as ``pip install -e .`` would; ``actions/cache`` and ``actions/upload-artifact`` are not
run (the artifact's files are checked instead). ``${{ ... }}`` expressions are filled from a
pull_request event; an expression the test does not know fails the test.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from infra.pr_comment import COMMENT_MARKER

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "pr-preview.yml"
SUBSTITUTED_ACTIONS = ("actions/checkout", "actions/setup-python", "actions/cache")
EXPRESSION = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


def git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    done = subprocess.run(
        ["git", *args], cwd=repo, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout.strip()


def clone_of_the_working_tree(target: Path) -> Path:
    """This project's files as they stand (tracked and new), in a fresh repository."""
    files = git(ROOT, "ls-files", "-co", "--exclude-standard").splitlines()
    for name in files:
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    git(target, "init", "-q", "-b", "feature")
    git(target, "add", "-A")
    git(target, "commit", "-q", "-m", "base")
    return target


def fill(text: str, context: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in context, f"the workflow uses ${{{{ {name} }}}}, unknown to this test"
        return context[name]

    return EXPRESSION.sub(value, text)


def preview_steps() -> list[dict[str, Any]]:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    steps: list[dict[str, Any]] = workflow["jobs"]["preview"]["steps"]
    return steps


def test_the_preview_jobs_steps_write_the_comment(tmp_path: Path) -> None:
    repo = clone_of_the_working_tree(tmp_path / "repo")
    base_sha = git(repo, "rev-parse", "HEAD")
    profiles = repo / "infra" / "phases" / "profiles.yaml"
    text = profiles.read_text()
    phase2 = text.index("\n2:")
    changed = text[:phase2] + text[phase2:].replace("maxSize: 10", "maxSize: 12", 1)
    assert changed != text
    profiles.write_text(changed)
    git(repo, "commit", "-q", "-am", "phase 2: the web tier grows to 12")
    head_sha = git(repo, "rev-parse", "HEAD")
    git(repo, "update-ref", "refs/remotes/origin/main", base_sha)

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "gm-infra"
    shim.write_text(
        "#!/bin/sh\n"
        f"exec {sys.executable} -c "
        '\'import sys, cli; sys.argv[0] = "gm-infra"; cli.main()\' "$@"\n'
    )
    shim.chmod(0o755)
    summary = tmp_path / "summary.md"
    context = {
        "github.base_ref": "main",
        "github.event.pull_request.head.sha": head_sha,
        "github.event.pull_request.number": "7",
    }
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(repo),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_WORKSPACE": str(repo),
    }
    env.pop("GM_INFRA_PLAN_CACHE", None)

    ran = []
    for step in preview_steps():
        uses = step.get("uses", "")
        if uses.startswith("actions/upload-artifact"):
            assert step["with"]["path"] == "preview/" and step.get("if") == "always()"
            continue
        if uses:
            assert uses.startswith(SUBSTITUTED_ACTIONS), f"unexpected action {uses}"
            continue
        script = step["run"]
        if "pip install" in script:
            installs = [line.strip() for line in script.splitlines() if "pip install" in line]
            assert installs[0] == "python -m pip install -e .", "base install only"
            # The rest only fill checkov's own venv (it pins older boto3 than ours).
            assert all(line.startswith(".venv-checkov/bin/python -m pip") for line in installs[1:])
            continue  # the test venv is that install (see the module docstring)
        step_env = {k: fill(str(v), context) for k, v in step.get("env", {}).items()}
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", fill(script, context)],
            cwd=repo,
            env={**env, **step_env},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        ran.append(step.get("name", script))
    assert any("Preview" in name for name in ran)

    assert (repo / "preview" / "head-sha").read_text().strip() == head_sha
    comment = (repo / "preview" / "comment.md").read_text()
    assert comment.startswith(COMMENT_MARKER)
    assert f"`origin/main@{base_sha[:7]}` → `HEAD@{head_sha[:7]}`" in comment
    assert "**1 of 4 changed**" in comment
    for phase in (1, 3, 4):
        assert f"- **`phase{phase}`**: no changes" in comment
    assert "### `phase2`: 0 to add, 1 to change" in comment
    assert "`maxSize`: `10` → `12`" in comment
    # the changed phase is judged; the throwaway repository has no .venv-checkov (CI's step
    # makes one), and the headline says the judge did not run rather than that it passed
    assert "**Validation passed without checkov** on `phase2`" in comment
    assert "validation passed without checkov (not installed)" in comment
    assert summary.read_text() == comment
    assert git(repo, "worktree", "list").count("\n") == 0, "the base worktree was removed"
