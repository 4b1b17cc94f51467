"""ORM tables (SQLAlchemy 2). API schemas live in ``app.schemas``."""

from app.models.application import Application
from app.models.base import Base
from app.models.career import Career
from app.models.employer import Employer, EmployerInvitation
from app.models.job import Job
from app.models.match_day import MatchDay
from app.models.outbox import OutboxTask
from app.models.shard_map import ShardMapHeader, ShardMapRange
from app.models.user import Role, User

__all__ = [
    "Application",
    "Base",
    "Career",
    "Employer",
    "EmployerInvitation",
    "Job",
    "MatchDay",
    "OutboxTask",
    "Role",
    "ShardMapHeader",
    "ShardMapRange",
    "User",
]
