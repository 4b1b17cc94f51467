"""The Celery app with the source document's settings (JSON only, 30/25 minute limits).

Celery's CLI needs a module-level app, so this module reads the environment on import;
nothing else in the app does.
"""

from __future__ import annotations

from celery import Celery

from app.core.settings import Settings

BROKER_TIMEOUT_SECONDS = 2.0


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
        # A hung broker (Redis) must not hold a request: bounded sockets, no publish
        # retries (dispatch then embeds in-process, see app/worker/dispatch.py).
        broker_connection_timeout=BROKER_TIMEOUT_SECONDS,
        broker_transport_options={
            "socket_timeout": BROKER_TIMEOUT_SECONDS,
            "socket_connect_timeout": BROKER_TIMEOUT_SECONDS,
        },
        redis_socket_timeout=BROKER_TIMEOUT_SECONDS,
        redis_socket_connect_timeout=BROKER_TIMEOUT_SECONDS,
        task_publish_retry=False,
        worker_prefetch_multiplier=1,
        task_acks_late=True,
    )
    return celery


celery_app = make_celery(Settings())
