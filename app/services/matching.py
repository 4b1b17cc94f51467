"""In-memory vector indexes behind ``POST /api/match`` (jobs) and
``POST /api/careers/recommend`` (careers), refreshed when their rows change.

Each instance keeps its own matrix. A change anywhere bumps the index's generation
(``jobs-index`` / ``careers-index``) in the shared cache (Redis), so every instance
rebuilds on its next search.
"""

from __future__ import annotations

import logging
import threading

import numpy as np
from sqlalchemy import select

from app.core.cache import QueryCache
from app.core.db import Database
from app.models import Career, Job
from app.services.embeddings import from_bytes
from app.services.vector_index import VectorIndex

log = logging.getLogger("app.matching")
GENERATION = "jobs-index"
CAREERS_GENERATION = "careers-index"


class JobIndex:
    table: type[Job] | type[Career] = Job
    generation_name = GENERATION

    def __init__(
        self, *, database: Database, cache: QueryCache, model_name: str, exact_max_rows: int
    ) -> None:
        self.database = database
        self.cache = cache
        self.model_name = model_name
        self.exact_max_rows = exact_max_rows
        self._index: VectorIndex | None = None
        self._generation: str | None = None
        self._dirty = True
        self._rebuilding = False
        self._lock = threading.Lock()

    def mark_changed(self) -> None:
        self._dirty = True
        self.cache.bump(self.generation_name)

    def current(self) -> VectorIndex:
        """The index to search now.

        Small indexes are rebuilt in the request that notices a change. A large one (an
        HNSW graph takes seconds to build) keeps answering while a thread rebuilds it.
        """
        generation = self.cache.generation(self.generation_name)
        with self._lock:
            index = self._index
            stale = index is None or self._dirty or generation != self._generation
            if not stale:
                assert index is not None
                return index
            self._dirty = False
            self._generation = generation
            if index is not None and len(index) > self.exact_max_rows:
                if not self._rebuilding:
                    self._rebuilding = True
                    threading.Thread(target=self._rebuild, name="job-index", daemon=True).start()
                return index
            self._index = self._load()
            return self._index

    def _rebuild(self) -> None:
        try:
            fresh = self._load()
            with self._lock:
                self._index = fresh
        except Exception:
            log.exception("job index rebuild failed; still serving the previous one")
            self._dirty = True
        finally:
            self._rebuilding = False

    def _load(self) -> VectorIndex:
        """Read every row's vector from the writer (fresh after this instance's writes)."""
        table = self.table
        with self.database.write_session() as session:
            rows = session.execute(
                select(table.id, table.sdg_tag, table.embedding, table.embedding_dim)
                .where(table.embedding.is_not(None), table.embedding_model == self.model_name)
                .order_by(table.id)
            ).all()
        if not rows:
            return VectorIndex.build([], [], np.zeros((0, 1), dtype=np.float32))
        vectors = np.stack([from_bytes(r.embedding, r.embedding_dim) for r in rows])
        log.info(
            "%s loaded: %d rows x %d dimensions", self.generation_name, len(rows), vectors.shape[1]
        )
        return VectorIndex.build(
            [r.id for r in rows],
            [r.sdg_tag for r in rows],
            vectors,
            exact_max_rows=self.exact_max_rows,
        )


class CareerIndex(JobIndex):
    table = Career
    generation_name = CAREERS_GENERATION
