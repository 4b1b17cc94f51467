"""``gm-infra app serve --service NAME``: one phase-4 service as its own process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import uvicorn
from typer.testing import CliRunner

from cli import app as root
from tests.app.mariadb_pair import free_port

REPO = Path(__file__).resolve().parents[3]


def test_an_unknown_service_is_refused_naming_the_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: pytest.fail("must not start"))
    result = CliRunner().invoke(root, ["app", "serve", "--service", "billing"])
    assert result.exit_code == 2
    assert "unknown service 'billing'" in result.output
    assert "web, auth, matching, ai, analytics" in result.output


def test_serve_service_runs_only_that_service(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "DATA_DIR": str(tmp_path), "DEMO_JOBS_PER_SDG": "1"}
    env.pop("SERVICE_NAME", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import cli; cli.main()",
            "app",
            "serve",
            "--service",
            "analytics",
            "--port",
            str(port),
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            assert time.monotonic() < deadline, "the analytics service did not start"
            time.sleep(0.2)
        sdgs = httpx.get(f"{url}/api/analytics/sdg", timeout=10).json()["sdgs"]
        assert [row["jobs"] for row in sdgs] == [1] * 17  # the demo data, one job per SDG
        assert httpx.get(f"{url}/api/jobs", timeout=5).status_code == 404
    finally:
        process.send_signal(signal.SIGINT)
        try:
            output = process.communicate(timeout=30)[1]
        except subprocess.TimeoutExpired:
            process.kill()
            output = process.communicate()[1]
    assert "Green Matchers (analytics)" in output
