from __future__ import annotations

from datetime import date

from pydantic import BaseModel


class SdgFigures(BaseModel):
    sdg: int
    jobs: int
    applications: int


class SdgOut(BaseModel):
    """Jobs and applications per SDG 1-17 (all 17, zeros included)."""

    sdgs: list[SdgFigures]


class DayFigures(BaseModel):
    day: date
    postings: int
    applications: int
    matches: int


class ActivityOut(BaseModel):
    """Postings, applications and match requests per UTC day, oldest first."""

    days: int
    activity: list[DayFigures]
