"""The floors of pyproject.toml's [tool.importlinter] hold: lint-imports passes, every module
of infra/ sits on a floor, and a planted upward import is caught."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT = (
    "import sys; from importlinter.cli import lint_imports; "
    "sys.exit(lint_imports(config_filename='pyproject.toml', no_cache=True, no_logo=True))"
)


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """lint-imports over the packages under ``root`` (python -c puts ``root`` first)."""
    return subprocess.run(
        [sys.executable, "-c", LINT], cwd=root, capture_output=True, text=True, timeout=300
    )


def infra_layers() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contracts = config["tool"]["importlinter"]["contracts"]
    layers = next(c for c in contracts if c["type"] == "layers" and c["name"].startswith("infra"))
    return [m.strip() for floor in layers["layers"] for m in floor.replace(":", "|").split("|")]


def test_lint_imports_passes() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_every_infra_module_is_on_a_floor() -> None:
    listed = set(infra_layers())
    modules = {
        f"infra.{p.stem}"
        for p in (ROOT / "infra").iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").exists()
    }
    assert modules - listed == set(), "add these to a floor in pyproject.toml"
    assert listed - modules == set(), "these floors name no module"


def test_an_upward_import_is_refused(tmp_path: Path) -> None:
    for name in ("infra", "app"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    model = tmp_path / "infra" / "plan" / "model.py"
    # late, inside a function: the linter reads those too
    model.write_text(model.read_text() + "\n\ndef _up() -> None:\n    import infra.diff.compute\n")
    result = lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout
    assert "infra.plan.model -> infra.diff.compute" in result.stdout
