from __future__ import annotations

from typing import Annotated

from fastapi import (
    APIRouter,
    HTTPException,
    Path,
    Query,
    Request,
    Response,
    status,
)
from fastapi.exceptions import RequestValidationError

from app.api.deps import (
    CandidateLogin,
    CurrentLogin,
    EmployerLogin,
    ReadDb,
    ReadDbFactory,
    StateDep,
    WriteDbFactory,
)
from app.api.errors import CONFLICT, LOGIN_REQUIRED, NOT_FOUND, UNSAFE_RESPONSES
from app.core.cache_policy import jobs_page_key
from app.schemas.job import ApplicationOut, ApplyIn, JobIn, JobOut, JobPage
from app.services import applications, jobs, users
from app.worker.dispatch import nudge, queue_embeddings

router = APIRouter(prefix="/api", tags=["jobs"])

JobId = Annotated[int, Path(ge=1, le=2_147_483_647)]
SdgQuery = Annotated[int | None, Query(ge=1, le=17)]
SalaryQuery = Annotated[int | None, Query(ge=0, le=100_000_000)]
# Lists carry the start of each description (GET /api/jobs/{id} has it whole), so that a
# page of 20 fits the cache's entry cap (CACHE_MAX_ENTRY_BYTES, 128 KB) whatever employers
# post: 20 jobs of 255-character titles, locations, names and websites and 300 characters
# of description, all 4-byte characters, are about 110 KB.
LIST_DESCRIPTION_CHARS = 300


def listed(job: object) -> JobOut:
    """A job as lists show it: its description cut to LIST_DESCRIPTION_CHARS."""
    out = JobOut.model_validate(job)
    if len(out.description) > LIST_DESCRIPTION_CHARS:
        out.description = out.description[: LIST_DESCRIPTION_CHARS - 1].rstrip() + "\u2026"
    return out


@router.get("/jobs")
def list_jobs(
    open_db: ReadDbFactory,
    state: StateDep,
    request: Request,
    skip: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    search: Annotated[str | None, Query(max_length=255)] = None,
    sdg_tag: SdgQuery = None,
    salary_min: SalaryQuery = None,
    salary_max: SalaryQuery = None,
) -> JobPage:
    """Jobs newest first, ``{jobs, total, skip, limit}``; each job carries its employer and
    the first 300 characters of its description (``GET /api/jobs/{id}``: all of it)."""
    if salary_min is not None and salary_max is not None and salary_min > salary_max:
        raise RequestValidationError(
            [
                {
                    "type": "value_error",
                    "loc": ("query", "salary_min"),
                    "msg": f"salary_min ({salary_min}) must not be above salary_max ({salary_max})",
                    "input": salary_min,
                }
            ]
        )
    search = search.strip() if search else None
    ttl = state.settings.jobs_cache_ttl_seconds
    page_key = jobs_page_key(
        query_names=[name for name, _ in request.query_params.multi_items()],
        skip=skip,
        limit=limit,
        search=search,
        sdg_tag=sdg_tag,
        salary_min=salary_min,
        salary_max=salary_max,
    )  # None: not a canonical page, neither read from nor stored in the cache
    if not ttl:
        page_key = None
    key = f"{state.cache.generation('jobs')}:{page_key}" if page_key else ""
    cached = state.cache.get_raw("jobs", key) if key else None
    if cached is not None:
        return Response(cached, media_type="application/json")  # type: ignore[return-value]
    with open_db() as db:
        page, total = jobs.list_jobs(
            session=db,
            skip=skip,
            limit=limit,
            search=search,
            sdg_tag=sdg_tag,
            salary_min=salary_min,
            salary_max=salary_max,
        )
        result = JobPage(jobs=[listed(job) for job in page], total=total, skip=skip, limit=limit)
    if key:
        state.cache.set_raw("jobs", key, result.model_dump_json(), ttl)
    return result


@router.get("/jobs/{job_id}", responses=NOT_FOUND)
def get_job(job_id: JobId, db: ReadDb) -> JobOut:
    job = jobs.get_job(session=db, job_id=job_id)
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"job {job_id} not found")
    return JobOut.model_validate(job)


@router.post(
    "/jobs", status_code=status.HTTP_201_CREATED, responses={**UNSAFE_RESPONSES, **LOGIN_REQUIRED}
)
def create_job(
    body: JobIn, login: EmployerLogin, open_db: WriteDbFactory, state: StateDep
) -> JobOut:
    """Post a job (employer accounts only). The job and the work of embedding it commit
    together (the outbox); the worker embeds it, retrying until the AI service answers."""
    with open_db() as db:
        user = users.get_user(session=db, user_id=login.user_id)
        if user is None or user.employer_id is None:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "this account has no employer")
        job = jobs.create_job(session=db, employer_id=user.employer_id, job_in=body)
        queue_embeddings(db, "jobs", [job.id])
        db.commit()
        created = jobs.get_job(session=db, job_id=job.id)
        assert created is not None
        answer = JobOut.model_validate(created)
    # The connection is back in the pool before any call to Redis or the worker.
    state.sessions.mark_write(login)
    state.cache.bump("jobs")
    state.metrics.jobs_posted.inc()
    nudge(state)
    return answer


@router.post(
    "/jobs/{job_id}/apply",
    status_code=status.HTTP_201_CREATED,
    responses={**UNSAFE_RESPONSES, **LOGIN_REQUIRED, **NOT_FOUND, **CONFLICT},
)
def apply(
    job_id: JobId, login: CandidateLogin, db: ReadDb, state: StateDep, body: ApplyIn | None = None
) -> ApplicationOut:
    """Apply to a job (candidate accounts only); a second application answers 409."""
    if jobs.get_job(session=db, job_id=job_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"job {job_id} not found")
    cover_letter = body.cover_letter if body else ""
    with state.database.shard_session(login.user_id) as shard:
        try:
            application = applications.apply(
                session=shard, user_id=login.user_id, job_id=job_id, cover_letter=cover_letter
            )
        except applications.AlreadyApplied:
            raise HTTPException(
                status.HTTP_409_CONFLICT, f"you have already applied to job {job_id}"
            ) from None
    state.sessions.mark_write(login)
    state.metrics.applications.inc()
    return ApplicationOut.model_validate(application)


@router.get("/applications", responses=LOGIN_REQUIRED)
def my_applications(
    login: CurrentLogin,
    state: StateDep,
    skip: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> list[ApplicationOut]:
    """The caller's applications, newest first, a page at a time (at most 100), read from
    their shard's writer (their own fresh writes)."""
    with state.database.shard_read_session(login.user_id) as shard:
        rows = applications.list_for_user(
            session=shard, user_id=login.user_id, skip=skip, limit=limit
        )
        return [ApplicationOut.model_validate(row) for row in rows]
