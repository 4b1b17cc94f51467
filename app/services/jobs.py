from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, joinedload

from app.models import Job
from app.schemas.job import JobIn


def _conditions(
    *,
    search: str | None,
    sdg_tag: int | None,
    salary_min: int | None,
    salary_max: int | None,
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if search:
        escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(Job.title.ilike(f"%{escaped}%", escape="\\"))
    if sdg_tag is not None:
        conditions.append(Job.sdg_tag == sdg_tag)
    if salary_min is not None:
        conditions.append(Job.salary_min >= salary_min)
    if salary_max is not None:
        conditions.append(Job.salary_max <= salary_max)
    return conditions


def list_jobs(
    *,
    session: Session,
    skip: int,
    limit: int,
    search: str | None = None,
    sdg_tag: int | None = None,
    salary_min: int | None = None,
    salary_max: int | None = None,
) -> tuple[Sequence[Job], int]:
    """One page of jobs, newest first, each with its employer (one joined query, no N+1).

    The count reads only the filtered index columns, never the rows' wide columns.
    """
    conditions = _conditions(
        search=search, sdg_tag=sdg_tag, salary_min=salary_min, salary_max=salary_max
    )
    total = session.scalar(select(func.count(Job.id)).where(*conditions)) or 0
    page = session.scalars(
        select(Job)
        .where(*conditions)
        .options(joinedload(Job.employer))
        .order_by(Job.created_at.desc(), Job.id.desc())
        .offset(skip)
        .limit(limit)
    ).all()
    return page, total


def get_job(*, session: Session, job_id: int) -> Job | None:
    return session.scalar(select(Job).options(joinedload(Job.employer)).where(Job.id == job_id))


def get_jobs_by_ids(*, session: Session, ids: list[int]) -> dict[int, Job]:
    if not ids:
        return {}
    rows = session.scalars(select(Job).options(joinedload(Job.employer)).where(Job.id.in_(ids)))
    return {job.id: job for job in rows}


def create_job(*, session: Session, employer_id: int, job_in: JobIn) -> Job:
    job = Job(employer_id=employer_id, **job_in.model_dump())
    session.add(job)
    session.flush()
    return job
