from __future__ import annotations

from fastapi import APIRouter

from app.api.deps import ReadDbFactory, StateDep
from app.api.errors import UNSAFE_RESPONSES
from app.schemas.job import JobOut
from app.schemas.match import MatchIn, MatchOut, MatchResult
from app.services import jobs

router = APIRouter(prefix="/api", tags=["match"])


@router.post("/match", responses=UNSAFE_RESPONSES)
def match(body: MatchIn, open_db: ReadDbFactory, state: StateDep) -> MatchOut:
    """Jobs ranked by cosine similarity between the text's embedding and each job's.

    With AI_SERVICE_URL set the text is embedded by the AI service; when it is down or
    serves another model this answers 503 with the reason (within AI_SERVICE_TIMEOUT_SECONDS,
    then at once while its circuit breaker is open). No connection is held meanwhile: the
    rows are read after the text is embedded."""
    index = state.job_index.current()
    query = state.embedder.encode_one(body.text)
    if len(index) and index.dim != query.shape[0]:
        return MatchOut(results=[])  # vectors from another model; the worker is re-embedding
    hits = index.search(query, body.limit, sdg_tag=body.sdg_tag)
    with open_db() as db:
        found = jobs.get_jobs_by_ids(session=db, ids=[job_id for job_id, _ in hits])
        results = [
            MatchResult(job=JobOut.model_validate(found[job_id]), score=round(score, 6))
            for job_id, score in hits
            if job_id in found
        ]
    state.metrics.matches.inc()
    if state.match_tally is not None:
        state.match_tally.record()
    return MatchOut(results=results)
