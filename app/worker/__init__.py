"""Celery worker: ``celery -A app.worker.celery_app:celery_app worker``."""
