"""The floors of pyproject.toml's [tool.importlinter] hold: lint-imports passes, every module
of infra/ sits on a floor, a planted upward import is caught, and no two modules import each
other (layers catch cycles between floors; this catches them inside a package too)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import pytest

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


def floors_of(package: str) -> list[str]:
    """The modules named on the floors of ``package``'s layers contract."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contracts = config["tool"]["importlinter"]["contracts"]
    layers = next(
        c for c in contracts if c["type"] == "layers" and c["name"].startswith(package + ":")
    )
    return [m.strip() for floor in layers["layers"] for m in floor.replace(":", "|").split("|")]


def test_lint_imports_passes() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize("package", ["infra", "app"])
def test_every_module_is_on_a_floor(package: str) -> None:
    listed = set(floors_of(package))
    modules = {
        f"{package}.{p.stem}"
        for p in (ROOT / package).iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").exists()
    }
    assert modules - listed == set(), "add these to a floor in pyproject.toml"
    assert listed - modules == set(), "these floors name no module"


def test_an_upward_import_is_refused(tmp_path: Path) -> None:
    for name in ("cli", "infra", "app"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    model = tmp_path / "infra" / "plan" / "model.py"
    # late, inside a function: the linter reads those too
    model.write_text(model.read_text() + "\n\ndef _up() -> None:\n    import infra.diff.compute\n")
    # the app's too: readiness (core) reaching up to the AI client (services)
    readiness = tmp_path / "app" / "core" / "readiness.py"
    readiness.write_text(readiness.read_text() + "\n\nimport app.services.ai_client\n")
    result = lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout
    assert "infra.plan.model -> infra.diff.compute" in result.stdout
    assert "app.core.readiness -> app.services.ai_client" in result.stdout


KNOWN_CYCLES: list[list[str]] = []  # none: a new cycle is a design question, not a listing


def import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Groups of modules that import each other, directly or through others (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = [stack.pop()]
            while group[-1] != module:
                group.append(stack.pop())
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_import_cycles_are_found() -> None:
    graph = grimp.ImportGraph()
    graph.add_import(importer="pkg.a", imported="pkg.b")
    graph.add_import(importer="pkg.b", imported="pkg.c")
    graph.add_import(importer="pkg.c", imported="pkg.a")
    graph.add_import(importer="pkg.d", imported="pkg.a")
    assert import_cycles(graph) == [["pkg.a", "pkg.b", "pkg.c"]]


def test_no_import_cycles(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(ROOT))
    graph = grimp.build_graph(
        "cli", "infra", "app", include_external_packages=False, cache_dir=None
    )
    assert [c for c in import_cycles(graph) if c not in KNOWN_CYCLES] == []
