"""Match requests per day (UTC), for ``GET /api/analytics/activity``.

Matches leave no row anywhere else. Each matching instance counts them in memory and adds
its count to the day's row every few seconds (``app/services/match_tally.py``): one small
write per instance per interval, not one per request.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Date
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class MatchDay(Base):
    __tablename__ = "match_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    matches: Mapped[int] = mapped_column(BigInteger, default=0)
