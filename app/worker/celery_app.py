"""The Celery app with the source document's settings (JSON only, 30/25 minute limits).

Celery's CLI needs a module-level app, so this module reads the environment on import;
nothing else in the app does.
"""

from __future__ import annotations

from celery import Celery

from app.core.settings import Settings


def make_celery(settings: Settings) -> Celery:
    celery = Celery(
        "green_matchers",
        broker=settings.broker_url or "memory://",
        backend=settings.result_backend or "cache+memory://",
        include=["app.worker.tasks"],
    )
    celery.conf.update(
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        timezone="UTC",
        enable_utc=True,
        task_track_started=True,
        task_time_limit=30 * 60,
        task_soft_time_limit=25 * 60,
        task_always_eager=settings.embeds_inline,
        broker_connection_retry_on_startup=True,
        worker_prefetch_multiplier=1,
        task_acks_late=True,
    )
    return celery


celery_app = make_celery(Settings())
