"""The ONNX copy of the verified model, cached next to it and keyed by the weights' hash.

``ensure_onnx`` exports once (atomically: a staging folder renamed into place), decides
between int8 and float32 by holding the int8 copy to the quality gate against the float32
one on ``PROBE_JOBS`` and ``PROBE_QUERIES``, and records the choice in ``manifest.json``.
Later starts check the chosen file against the manifest's size and SHA-256 through the
cheap marker of ``integrity``.
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

from app.embedding.agreement import passes_gate
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
# int8 is kept only when it passes the quality gate (agreement.passes_gate: every cosine
# >= 0.99, top-10 positions >= 98%) against float32 ONNX, which equals torch to 1e-6, on this
# probe set (the tests' held-out gate set is separate). On all-mpnet-base-v2 it does not:
# cosines stay above 0.999 but near-tied matches swap (top-10 agreement about 94%).
PROBE_JOBS = (
    "Solar PV installer for domestic roofs",
    "Offshore wind farm operations manager, 5+ years in marine logistics",
    "Carbon accountant measuring scope 1-3 emissions for our clients",
    "Graduate hydrologist for flood risk studies",
    "Circular economy consultant designing take-back schemes for retailers",
    "Battery recycling plant shift supervisor (nights)",
    "Agroforestry field officer in rural Kenya; motorbike licence required",
    "Heat pump service engineer in Leeds",
    "ESG data analyst: Python, SQL and climate disclosure",
    "Urban cycling infrastructure planner",
    "Peatland restoration ranger",
    "Electric vehicle charger maintenance technician",
    "Green bond analyst at an asset manager",
    "Insulation installer for home retrofits",
    "Water quality laboratory technician",
    "Sustainable procurement manager for a hospital trust",
    "Biogas plant operator on a dairy farm",
    "Coastal ecologist surveying salt marshes",
    "Energy storage project developer",
    "Climate science teacher for secondary schools",
    "Tidal energy research engineer",
    "Zero-waste shop manager",
    "Rail freight planner moving cargo off the roads",
    "Smart meter installer",
    "Environmental impact assessment consultant",
    "Community garden coordinator",
    "Hydrogen fuel cell test engineer",
    "Sustainable fashion buyer",
    "Wildfire prevention crew leader",
    "Green roof and living wall gardener",
)
PROBE_QUERIES = (
    "solar",
    "jobs protecting nature",
    "emissions reporting",
    "electric cars",
    "recycling",
    "water",
    "renewable energy engineering",
    "teaching",
)


@dataclass(frozen=True)
class OnnxFiles:
    folder: Path
    model: Path
    precision: Precision
    int8_min_cosine: float | None  # int8 against float32 on the probe set (when made)
    int8_top10_agreement: float | None


def onnx_folder(root: Path, weights_sha256: str = WEIGHTS.sha256) -> Path:
    return root / f"{MODEL_FOLDER}-onnx-{weights_sha256[:16]}"


def _from_manifest(folder: Path) -> OnnxFiles:
    manifest = json.loads((folder / MANIFEST).read_text())
    model = folder / manifest["file"]
    ensure_verified(model, Expected(size=manifest["size"], sha256=manifest["sha256"]))
    return OnnxFiles(
        folder,
        model,
        manifest["precision"],
        manifest.get("int8_min_cosine"),
        manifest.get("int8_top10_agreement"),
    )


def probe_int8(model_dir: Path, int8: Path, fp32: Path) -> tuple[bool, float, float]:
    """Whether the int8 copy passes the quality gate against float32 on the probe set."""
    vectors = []
    for path in (fp32, int8):
        encoder = OnnxEncoder(path, model_dir)
        vectors.append((encoder.encode(list(PROBE_QUERIES)), encoder.encode(list(PROBE_JOBS))))
    return passes_gate(vectors[0], vectors[1])


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
        staging.chmod(0o755)  # mkdtemp makes it private; services read it as another user
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
        return _from_manifest(folder)


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
    kept, cosine, agreement = probe_int8(model_dir, int8, fp32)
    step("check int8", 1)
    precision: Precision = "int8" if kept else "fp32"
    chosen, dropped = (int8, fp32) if kept else (fp32, int8)
    dropped.unlink()
    log.info(
        "int8 copy against float32: lowest cosine %.4f, top-10 agreement %.1f%%; keeping %s",
        cosine,
        100 * agreement,
        precision,
    )
    step("hash", 0)
    manifest = {
        "weights_sha256": WEIGHTS.sha256,
        "precision": precision,
        "file": chosen.name,
        "size": chosen.stat().st_size,
        "sha256": sha256_of(chosen),
        "int8_min_cosine": round(cosine, 6),
        "int8_top10_agreement": round(agreement, 4),
    }
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    step("hash", 1)
    return OnnxFiles(staging, chosen, precision, cosine, agreement)
