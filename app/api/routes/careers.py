from __future__ import annotations

from fastapi import APIRouter, Response, status

from app.api.deps import AdminLogin, ReadDbFactory, StateDep, WriteDbFactory
from app.api.errors import LOGIN_REQUIRED, UNSAFE_RESPONSES
from app.schemas.career import (
    CareerIn,
    CareerList,
    CareerOut,
    Recommendation,
    RecommendIn,
    RecommendOut,
)
from app.services import careers
from app.worker.dispatch import nudge, queue_embeddings

router = APIRouter(prefix="/api/careers", tags=["careers"])

CACHE_NAME = "careers"
CACHE_KEY = "all"


@router.get("")
def list_careers(open_db: ReadDbFactory, state: StateDep) -> CareerList:
    """Every career path; cached for CAREERS_CACHE_TTL_SECONDS (600 s), dropped on change."""
    cached = state.cache.get_raw(CACHE_NAME, CACHE_KEY)
    if cached is not None:
        return Response(cached, media_type="application/json")  # type: ignore[return-value]
    with open_db() as db:
        rows = careers.list_careers(session=db)
        result = CareerList(careers=[CareerOut.model_validate(r) for r in rows], total=len(rows))
    ttl = state.settings.careers_cache_ttl_seconds
    state.cache.set_raw(CACHE_NAME, CACHE_KEY, result.model_dump_json(), ttl)
    return result


@router.post(
    "", status_code=status.HTTP_201_CREATED, responses={**UNSAFE_RESPONSES, **LOGIN_REQUIRED}
)
def create_career(
    body: CareerIn, login: AdminLogin, open_db: WriteDbFactory, state: StateDep
) -> CareerOut:
    """Add a career path (admins only); invalidates the careers cache. Its embedding is
    queued in the same transaction (the outbox)."""
    with open_db() as db:
        career = careers.create_career(session=db, career_in=body)
        queue_embeddings(db, "careers", [career.id])
        db.commit()
        answer = CareerOut.model_validate(career)
    state.cache.invalidate(CACHE_NAME, CACHE_KEY)
    state.sessions.mark_write(login)
    nudge(state)
    return answer


@router.post("/recommend", responses=UNSAFE_RESPONSES)
def recommend(body: RecommendIn, open_db: ReadDbFactory, state: StateDep) -> RecommendOut:
    """Career paths ranked by cosine similarity to the text (what you care about, skills).

    The text is embedded (perhaps by the AI service) before a connection is taken."""
    index = state.career_index.current()
    query = state.embedder.encode_one(body.text)
    if len(index) and index.dim != query.shape[0]:
        return RecommendOut(results=[])
    hits = index.search(query, body.limit, sdg_tag=body.sdg_tag)
    with open_db() as db:
        found = careers.get_careers_by_ids(session=db, ids=[career_id for career_id, _ in hits])
        results = [
            Recommendation(career=CareerOut.model_validate(found[cid]), score=round(score, 6))
            for cid, score in hits
            if cid in found
        ]
    state.metrics.recommendations.inc()
    return RecommendOut(results=results)
