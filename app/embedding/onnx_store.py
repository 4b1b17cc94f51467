"""The ONNX copy of the verified model, cached next to it and keyed by the weights' hash.

``ensure_onnx`` exports once (atomically: a staging folder renamed into place), decides
between int8 and float32 by measuring the int8 copy against the float32 one on
``PROBE_TEXTS``, and records the choice in ``manifest.json``. Later starts check the chosen
file against the manifest's size and SHA-256 through the cheap marker of ``integrity``.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from app.embedding.integrity import Expected, ensure_verified, record_verified, sha256_of
from app.embedding.model_store import (
    TEMP_PREFIX,
    StepProgress,
    exclusive,
    models_root,
    remove_stale_temporaries,
)
from app.embedding.mpnet_parts import MODEL_FOLDER, WEIGHTS
from app.embedding.onnx_embedder import OnnxEncoder
from app.embedding.onnx_export import export_fp32, quantize_int8

log = logging.getLogger(__name__)

Precision = Literal["int8", "fp32"]
MANIFEST = "manifest.json"
# int8 is kept only when every probe text's vector stays this close to float32's (float32
# ONNX equals torch to 1e-6); the test suite's quality gate asks 0.99 against torch.
INT8_MIN_COSINE = 0.995
# Job-board-like texts for the int8 decision (the held-out gate set lives in the tests).
PROBE_TEXTS = (
    "Solar PV installer",
    "Offshore wind farm operations manager, 5+ years in marine logistics",
    "We are hiring a carbon accountant to measure scope 1-3 emissions for our clients.",
    "Graduate hydrologist",
    "Circular economy consultant helping retailers design take-back schemes",
    "Battery recycling plant shift supervisor (nights)",
    "Agroforestry field officer in rural Kenya; motorbike licence required",
    "Heat pump service engineer - Leeds",
    "ESG data analyst: Python, SQL, and a passion for climate disclosure",
    "Urban cycling infrastructure planner",
    "x",
    "Teacher",
)


@dataclass(frozen=True)
class OnnxFiles:
    folder: Path
    model: Path
    precision: Precision
    int8_min_cosine: float | None  # measured on PROBE_TEXTS when the copy was made


def onnx_folder(root: Path, weights_sha256: str = WEIGHTS.sha256) -> Path:
    return root / f"{MODEL_FOLDER}-onnx-{weights_sha256[:16]}"


def _from_manifest(folder: Path) -> OnnxFiles:
    manifest = json.loads((folder / MANIFEST).read_text())
    model = folder / manifest["file"]
    ensure_verified(model, Expected(size=manifest["size"], sha256=manifest["sha256"]))
    return OnnxFiles(folder, model, manifest["precision"], manifest.get("int8_min_cosine"))


def probe_cosine(model_dir: Path, candidate: Path, reference: Path) -> float:
    """The lowest cosine between the two ONNX files' vectors over PROBE_TEXTS."""
    texts = list(PROBE_TEXTS)
    got = OnnxEncoder(candidate, model_dir).encode(texts)
    want = OnnxEncoder(reference, model_dir).encode(texts)
    return float(np.min(np.sum(got * want, axis=1)))


def ensure_onnx(
    model_dir: Path, root: Path | None = None, progress: StepProgress | None = None
) -> OnnxFiles:
    """The ONNX files of the verified model in ``model_dir``, exported when absent."""
    root = root or models_root()
    folder = onnx_folder(root)
    with exclusive(root):
        if (folder / MANIFEST).is_file():
            return _from_manifest(folder)
        remove_stale_temporaries(root)
        log.info("exporting %s to ONNX in %s (once; about a minute)", MODEL_FOLDER, folder)
        staging = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=root))
        try:
            files = _export_into(model_dir, staging, progress)
            if folder.exists():  # a broken copy without its manifest
                shutil.rmtree(folder)
            os.rename(staging, folder)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        model = folder / files.model.name
        record_verified(model, _expected_from(folder))
        log.info("ONNX runtime files ready: %s (%s)", model, files.precision)
        return OnnxFiles(folder, model, files.precision, files.int8_min_cosine)


def _expected_from(folder: Path) -> Expected:
    manifest = json.loads((folder / MANIFEST).read_text())
    return Expected(size=manifest["size"], sha256=manifest["sha256"])


def _export_into(model_dir: Path, staging: Path, progress: StepProgress | None) -> OnnxFiles:
    def step(name: str, done: int) -> None:
        if progress is not None:
            progress(name, done, 1)

    fp32 = staging / "model-fp32.onnx"
    int8 = staging / "model-int8.onnx"
    step("export", 0)
    export_fp32(model_dir, fp32)
    step("export", 1)
    step("quantize", 0)
    quantize_int8(fp32, int8)
    step("quantize", 1)
    step("check int8", 0)
    cosine = probe_cosine(model_dir, int8, fp32)
    step("check int8", 1)
    precision: Precision = "int8" if cosine >= INT8_MIN_COSINE else "fp32"
    chosen, dropped = (int8, fp32) if precision == "int8" else (fp32, int8)
    dropped.unlink()
    log.info("int8 copy: lowest probe cosine %.4f; keeping %s", cosine, precision)
    step("hash", 0)
    manifest = {
        "weights_sha256": WEIGHTS.sha256,
        "precision": precision,
        "file": chosen.name,
        "size": chosen.stat().st_size,
        "sha256": sha256_of(chosen),
        "int8_min_cosine": round(cosine, 6),
        "int8_threshold": INT8_MIN_COSINE,
    }
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    step("hash", 1)
    return OnnxFiles(staging, chosen, precision, cosine)
