"""The pulumi-preview job's role: trusted only by this repository's approved environment,
denied every read that hands over a secret (issue 25)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cli import app as root
from infra.render.ci_role import DENIED, guard_policy, trust_policy

REPO = Path(__file__).resolve().parents[3]


def test_the_trust_names_the_repository_environment_and_audience() -> None:
    [statement] = json.loads(trust_policy("123456789012", "acme/infra"))["Statement"]
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Principal"] == {
        "Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    }
    assert statement["Condition"] == {
        "StringEquals": {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": "repo:acme/infra:environment:pulumi-preview",
        }
    }


def test_the_guard_denies_secret_reads_and_pass_role() -> None:
    [statement] = json.loads(guard_policy())["Statement"]
    assert statement["Effect"] == "Deny" and statement["Resource"] == "*"
    assert (
        {"secretsmanager:GetSecretValue", "ssm:GetParameter", "kms:Decrypt", "iam:PassRole"}
        <= set(statement["Action"])
        == set(DENIED)
    )


def test_the_preview_job_runs_in_the_environment_the_role_trusts() -> None:
    workflow = yaml.safe_load((REPO / ".github/workflows/pr-preview.yml").read_text())
    job = workflow["jobs"]["pulumi-preview"]
    assert job["environment"] == "pulumi-preview"
    # The offline preview job needs no environment: it holds no credentials at all.
    assert "environment" not in workflow["jobs"]["preview"]


def test_render_ci_role_writes_both_documents(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        root,
        [
            "render",
            "ci-role",
            "--repository",
            "acme/infra",
            "--account",
            "123456789012",
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "trust.json").read_text()) == json.loads(
        trust_policy("123456789012", "acme/infra")
    )
    assert json.loads((tmp_path / "guard.json").read_text()) == json.loads(guard_policy())


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--repository", "acme/infra", "--account", "12345"], "account '12345'"),
        (["--repository", "not a repo", "--account", "123456789012"], "repository 'not a repo'"),
    ],
)
def test_render_ci_role_refuses_bad_input(args: list[str], named: str) -> None:
    result = CliRunner().invoke(root, ["render", "ci-role", *args])
    assert result.exit_code == 2
    assert named in result.output
    assert "Traceback" not in result.output
