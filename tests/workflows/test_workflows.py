"""The GitHub workflows: actionlint and zizmor clean, pinned, least privilege, and meaning
what they say (ci = .ci/run; preview = the base install and gm-infra preview)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import yaml

from tests.system_tools import require_tool

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
USES_LINE = re.compile(r"uses:\s*(\S+)(.*)$")


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((WORKFLOWS / name).read_text())
    return data


def all_steps() -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for job_name, job in load(path.name)["jobs"].items():
            found += [(path.name, job_name, step) for step in job.get("steps", [])]
    return found


def test_workflows_pass_actionlint() -> None:
    actionlint = require_tool("actionlint")
    files = sorted(str(path) for path in WORKFLOWS.glob("*.yml"))
    assert files, "no workflows"
    result = subprocess.run(
        [actionlint, *files], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_finds_nothing_at_medium_or_above() -> None:
    zizmor = require_tool("zizmor")
    result = subprocess.run(
        [zizmor, "--offline", "--format", "json", str(WORKFLOWS.relative_to(ROOT))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    findings = json.loads(result.stdout or "[]")
    serious = [
        f"{f['ident']}: {f['desc']} ({f['locations'][0]['symbolic']['key']})"
        for f in findings
        if f["determinations"]["severity"] in {"Medium", "High"} and not f.get("ignored")
    ]
    assert serious == [], serious


def test_every_action_is_pinned_to_a_commit_with_its_version() -> None:
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for line in path.read_text().splitlines():
            match = USES_LINE.search(line)
            if not match:
                continue
            action, rest = match.groups()
            assert PINNED.match(action), f"{path.name}: {action} is not pinned to a commit"
            assert re.search(r"#\s*v\d", rest), f"{path.name}: {action} has no version comment"


def test_checkouts_do_not_persist_credentials() -> None:
    checkouts = [(w, j, s) for w, j, s in all_steps() if "actions/checkout" in s.get("uses", "")]
    assert checkouts
    for workflow, job, step in checkouts:
        assert step.get("with", {}).get("persist-credentials") is False, f"{workflow}/{job}"


def test_permissions_are_granted_per_job_only() -> None:
    for path in sorted(WORKFLOWS.glob("*.yml")):
        workflow = load(path.name)
        assert workflow["permissions"] == {}, f"{path.name}: workflow-level permissions"
        for name, job in workflow["jobs"].items():
            assert "permissions" in job, f"{path.name}/{name} has no permissions block"
            assert "write-all" not in str(job["permissions"])


def test_preview_installs_the_base_package_only_and_caches_plans() -> None:
    preview = load("pr-preview.yml")["jobs"]["preview"]
    assert preview["permissions"] == {"contents": "read"}
    runs = "\n".join(step.get("run", "") for step in preview["steps"])
    installs = re.findall(r"^\s*(\S+) -m pip install ([^\n]*)", runs, re.M)
    assert installs[0] == ("python", "-e ."), "base install only"
    # checkov (gm-infra validate) pins older boto3 than ours: only its own venv gets it.
    assert installs[1:] == [(".venv-checkov/bin/python", '"checkov==3.3.30"')]
    assert "gm-infra preview --base-ref" in runs
    cache = [s for s in preview["steps"] if "actions/cache" in s.get("uses", "")]
    assert cache and cache[0]["with"]["path"] == ".gm-infra/cache/plans"


def test_comment_trusts_the_run_not_the_artifact() -> None:
    comment = load("pr-comment.yml")
    job = comment["jobs"]["comment"]
    assert not any("checkout" in str(step.get("uses", "")) for step in job["steps"])
    assert job["permissions"] == {"actions": "read", "pull-requests": "write"}
    script = next(s for s in job["steps"] if "github-script" in s.get("uses", ""))["with"]
    code = script["script"]
    assert "pr-number" not in code, "the PR number must not come from the artifact"
    assert "run.head_sha" in code and "listPullRequestsAssociatedWithCommit" in code
    assert "artifactSha !== headSha" in code
    assert "${{" not in code, "no expressions inside the script (template injection)"


def test_pulumi_preview_gets_a_virtualenv_with_the_project() -> None:
    project = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())
    assert project["runtime"]["options"] == {"toolchain": "pip", "virtualenv": ".venv"}
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    assert "-e ." in lines
    pack = yaml.safe_load((ROOT / "policypack" / "PulumiPolicy.yaml").read_text())
    assert pack["runtime"]["options"]["virtualenv"] == "../.venv"
    assert "-e .." in (ROOT / "policypack" / "requirements.txt").read_text().splitlines()
    job = load("pr-preview.yml")["jobs"]["pulumi-preview"]
    runs = "\n".join(step.get("run", "") for step in job["steps"])
    assert ".venv/bin/python -m pip install -r requirements.txt" in runs
    pulumi = next(s for s in job["steps"] if "pulumi/actions" in s.get("uses", ""))
    assert pulumi["with"]["command"] == "preview"
    assert pulumi["with"]["policyPacks"] == "policypack"


def test_ci_means_what_ci_run_means() -> None:
    job = load("ci.yml")["jobs"]["test"]
    assert job["services"]["mariadb"]["image"] == "mariadb:10.11"
    assert job["services"]["redis"]["image"].startswith("redis:7")
    steps = job["steps"]
    runs = "\n".join(step.get("run", "") for step in steps)
    assert re.search(r"^mypy$", runs, re.M), "full mypy, as configured in pyproject.toml"
    setup = (ROOT / "scripts" / "setup.sh").read_text()
    for package in re.findall(r"APT_\w+=\(([^)]*)\)", setup):
        for name in package.split():
            if name != "chromium":  # Playwright's build on Ubuntu runners (see the workflow)
                assert name in runs, f"{name} from scripts/setup.sh is not installed in ci"
    assert '".[app,ai,dev]"' in runs and "torch==2.13.0" in runs
    test_step = next(s for s in steps if "pytest" in s.get("run", ""))
    assert test_step["env"]["GM_REQUIRE_SERVICES"] == "1"
    readme = (ROOT / "README.md").read_text()
    assert test_step["run"].strip() in readme.replace(".venv/bin/python", "python")
