"""The base install, for real: ``python -m venv v && v/bin/pip install .`` in a temporary
folder (needs PyPI), then ``v/bin/gm-infra plan --phase 2`` run outside the clone, and no
torch, FastAPI or SQLAlchemy in ``v``. Prints its size beside the full install's (this
repository's .venv: app, ai and dev extras, torch's CPU build).

Run from the repository root: .venv/bin/python benchmarks/bench_install.py [--full-venv PATH]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ABSENT = ("torch", "sentence_transformers", "faiss", "fastapi", "sqlalchemy", "celery", "moto")


def size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full-venv", type=Path, default=Path(sys.prefix))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gm-install-") as scratch:
        venv = Path(scratch) / "v"
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "-q", str(ROOT)],
            check=True,
            capture_output=True,
            text=True,
        )
        took = time.perf_counter() - start
        plan = subprocess.run(
            [str(venv / "bin" / "gm-infra"), "plan", "--phase", "2", "--format", "json"],
            cwd=scratch,
            capture_output=True,
            text=True,
            check=False,
        )
        status = "works" if plan.returncode == 0 and '"phase2"' in plan.stdout else "FAILED"
        probe = f"import importlib.util as u; print([m for m in {ABSENT!r} if u.find_spec(m)])"
        present = subprocess.run(
            [str(venv / "bin" / "python"), "-c", probe], capture_output=True, text=True, check=True
        ).stdout.strip()
        print(f"pip install . (base): {took:.0f} s; gm-infra plan --phase 2 {status}")
        if status != "works":
            print(plan.stderr.strip()[-500:])
        print(f"  extras' packages present in the base venv: {present}")
        print(f"  base venv:  {size_mb(venv):8.0f} MB")
    print(f"  full venv:  {size_mb(args.full_venv):8.0f} MB ({args.full_venv}: app, ai, dev)")


if __name__ == "__main__":
    main()
