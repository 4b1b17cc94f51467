"""App settings from the environment (pydantic-settings); built in the app factory."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.core.service_names import opens_database, resolve_service, signs_sessions

DEFAULT_SESSION_SECRET = "change-me-local-only"
BUNDLED_MODEL = "bundled:all-MiniLM-L6-v2"  # 384 dimensions, fast: tests, the embedded default
MPNET_MODEL = "bundled:all-mpnet-base-v2"  # the seed's model, 768 dimensions (app/embedding)
PRODUCTION_MODEL = MPNET_MODEL


def default_data_dir() -> Path:
    """Where the embedded default keeps its SQLite file: ``$XDG_DATA_HOME/gm-infra`` or cwd."""
    xdg = os.environ.get("XDG_DATA_HOME")
    if xdg:
        return Path(xdg) / "gm-infra"
    return Path.cwd() / ".gm-infra"


def split_urls(value: str) -> list[str]:
    """``"a, b,,c"`` -> ``["a", "b", "c"]``."""
    return [part.strip() for part in value.split(",") if part.strip()]


class Settings(BaseSettings):
    """Every knob of the app; the environment variable is the field name upper-cased."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

    app_env: Literal["local", "production"] = "local"
    # Databases. Empty DATABASE_URL means the embedded SQLite file under data_dir.
    database_url: str = ""
    database_url_read: str = ""  # comma-separated replica URLs
    database_shard_urls: str = ""  # comma-separated shard URLs (phase 3); applications live there
    shard_map_ttl_seconds: float = Field(default=1.0, gt=0)  # app's cache of the shard map
    data_dir: Path = Field(default_factory=default_data_dir)
    # The source document's pool settings.
    db_pool_size: int = Field(default=20, ge=1)
    db_max_overflow: int = Field(default=40, ge=0)
    # The guide's 30 s pool timeout would hold a request far past the 5 s answer goal.
    db_pool_timeout: float = Field(default=3.0, gt=0)
    db_pool_recycle: int = Field(default=3600, ge=1)
    # Socket timeouts of every MariaDB connection (PyMySQL): a hung server costs this much.
    db_connect_timeout: int = Field(default=2, ge=1)
    db_read_timeout: int = Field(default=3, ge=1)  # also bounds one statement's first answer
    db_maintenance_timeout: int = Field(default=3600, ge=1)  # migrations, resharding
    replica_retry_seconds: float = Field(default=30.0, ge=0)  # a failed replica is skipped
    dependency_retry_seconds: float = Field(default=5.0, ge=0)  # writer, shards, Redis
    read_your_writes_seconds: float = Field(default=5.0, ge=0)
    auto_migrate: bool | None = None  # alembic upgrade at start-up; default: when local
    # Redis: sessions, query cache, Celery broker. Empty means in-process stores.
    redis_url: str = ""
    redis_timeout_seconds: float = Field(default=0.5, gt=0)  # connect and each command
    redis_key_prefix: str = "gm:"  # sessions and cache keys live under it
    # Sessions in their own Redis (noeviction), so cache traffic cannot evict them.
    # Empty: REDIS_URL (shared fate, logged as a warning in production).
    session_redis_url: str = ""
    celery_broker_url: str = ""  # defaults to REDIS_URL
    celery_result_backend: str = ""  # defaults to REDIS_URL
    embed_mode: Literal["auto", "inline", "celery"] = "auto"
    # The outbox (deferred embeddings): drained by the worker (celery mode) or by the app
    # process (inline); a failed try waits base, 2x, 4x ... up to the cap.
    outbox_poll_seconds: float = Field(default=1.0, gt=0, le=60)  # idle worker's poll
    outbox_batch: int = Field(default=64, ge=1, le=1024)  # rows claimed at once
    outbox_lease_seconds: float = Field(default=300.0, ge=10)  # a claim; then others may
    outbox_retry_base_seconds: float = Field(default=1.0, gt=0)
    outbox_retry_max_seconds: float = Field(default=30.0, gt=0, le=3600)
    # Sessions.
    session_secret: str = DEFAULT_SESSION_SECRET
    session_ttl_seconds: int = Field(default=3600, ge=1)  # idle: renewed while used
    # Absolute: a session (a stolen cookie too) ends this long after login, however used.
    session_max_age_seconds: int = Field(default=12 * 3600, ge=60)
    session_cookie_name: str = "gm_session"
    # Caching.
    careers_cache_ttl_seconds: int = Field(default=600, ge=1)
    jobs_cache_ttl_seconds: int = Field(default=60, ge=0)
    cache_max_entry_bytes: int = Field(default=128 * 1024, ge=1)  # larger pages are not cached
    # Internal endpoints (/metrics): a bearer token; empty switches them off.
    metrics_token: str = Field(default="", repr=False)
    # CloudWatch publishing (see "Observability" in the README): empty namespace = off.
    metrics_namespace: str = ""  # the user data sets GreenMatchers
    metrics_interval_seconds: float = Field(default=60.0, gt=0)  # one PutMetricData per interval
    metrics_stack: str = "local"  # dimension Stack
    metrics_service: str = "api"  # dimension Service (api, or the phase-4 service's name)
    metrics_phase: int = Field(default=1, ge=1, le=4)  # dimension Phase
    metrics_region: str = ""  # empty: boto3's default (AWS_REGION / AWS_DEFAULT_REGION)
    # Embeddings and matching.
    # What runs bundled:all-mpnet-base-v2: ONNX Runtime (the fast path) or torch (baseline);
    # validated here and passed to get_embedder by app.services.text_encoders.local_encoder
    # (get_embedder's own default, for callers without settings, reads the same variable).
    embedding_runtime: Literal["onnx", "torch"] = "onnx"
    embedding_model: str = ""  # empty: bundled MiniLM locally, all-mpnet-base-v2 in production
    exact_search_max_rows: int = Field(default=5_000, ge=1)  # exact stays under ~2 ms
    # Phase 4: which service this process serves (app/core/service_names.py); empty: all.
    service_name: str = ""
    # The AI service, for the services that embed (matching, web, the worker). Empty: the
    # model runs in-process. Phase 4 sets the Lattice service's URL.
    ai_service_url: str = ""
    # 1.5 s: a hung AI service still gives a 503 within 2 s, and a busy one (8 clients on
    # 2 cores: p95 1.4 s) does not trip the breaker for everyone.
    ai_service_timeout_seconds: float = Field(default=1.5, gt=0, le=10)  # a match's question
    ai_service_bulk_timeout_seconds: float = Field(default=60.0, gt=0)  # 64 rows re-embedded
    ai_service_auth: Literal["none", "aws_iam"] = "none"  # aws_iam: SigV4 (VPC Lattice)
    aws_region: str = ""  # AWS_REGION: where the Lattice service is (aws_iam signing)
    # The AI service's request limits and micro-batching.
    # Texts per /api/ai/embed request and characters per text: at most the schema's limits
    # (app/schemas/ai.py). On the AI service: its limits (422 beyond), published at
    # GET /api/ai/limits. On its callers: the most they send, lowered to the AI service's
    # published limits at first contact (a warning if higher); longer texts are cut (the
    # model reads only its first tokens).
    ai_max_texts: int = Field(default=64, ge=1, le=64)
    ai_max_text_chars: int = Field(default=4000, ge=1, le=4000)
    ai_batch_texts: int = Field(default=64, ge=1, le=1024)  # texts encoded in one call
    ai_batch_wait_ms: float = Field(default=5.0, ge=0, le=100)  # wait for more texts
    ai_queue_texts: int = Field(default=512, ge=1)  # texts waiting; beyond: 429
    # Analytics: how long its answers are cached; match requests are tallied per day.
    analytics_cache_ttl_seconds: int = Field(default=60, ge=0)
    match_tally_flush_seconds: float = Field(default=10.0, gt=0)
    # Demo data (embedded default only).
    demo_data: bool | None = None  # seed an empty database; default: when local
    demo_jobs_per_sdg: int = Field(default=20, ge=0)
    demo_seed: int = 17
    # Hostile input and browsers (see "Security" in app/README.md).
    max_body_bytes: int = Field(default=256 * 1024, ge=1024)  # larger bodies get 413
    body_read_timeout_seconds: float = Field(default=10.0, gt=0, le=300)  # slower bodies: 408
    trusted_origins: str = ""  # comma-separated extra origins allowed to send POSTs
    login_limits_per_account: str = "5/minute;20/hour;100/day"  # failed logins per e-mail
    login_limits_per_client: str = "30/minute;300/hour"  # failed logins per client address
    # Registrations per client address (every attempt), as login's per-client limit.
    register_limits_per_client: str = "10/minute;50/hour;200/day"

    @field_validator(
        "database_url",
        "database_url_read",
        "database_shard_urls",
        "redis_url",
        "session_redis_url",
        "ai_service_url",
    )
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    @field_validator(
        "login_limits_per_account", "login_limits_per_client", "register_limits_per_client"
    )
    @classmethod
    def _rate_limits(cls, value: str) -> str:
        from limits import parse_many

        try:
            parse_many(value)
        except ValueError:
            raise ValueError(
                f"{value!r} is not a list of rate limits such as '5/minute;20/hour'"
            ) from None
        return value

    @field_validator("ai_service_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError(
                f"{value!r} is not an http:// or https:// URL (or empty: embed in-process)"
            )
        return value

    @field_validator("service_name")
    @classmethod
    def _service(cls, value: str) -> str:
        return resolve_service(value)

    @model_validator(mode="after")
    def _refuse_defaults_in_production(self) -> Settings:
        if self.metrics_token and len(self.metrics_token) < 32:
            raise ValueError("METRICS_TOKEN must be empty (off) or at least 32 characters")
        production = self.app_env == "production"
        if production and not self.database_url and opens_database(self.service_name):
            raise ValueError("DATABASE_URL must be set when APP_ENV=production")
        return self

    def check_session_secret(self) -> None:
        """ValueError in production when this service signs sessions and the signing key is
        the default or short. Called by ``create_app`` and ``gm-infra app serve``, not at
        validation: the Celery worker and the services without sign-in never get the key."""
        if self.app_env != "production" or not signs_sessions(self.service_name):
            return
        if self.session_secret == DEFAULT_SESSION_SECRET or len(self.session_secret) < 32:
            raise ValueError(
                "SESSION_SECRET must be set to a random value of at least 32 characters "
                "when APP_ENV=production"
            )

    @property
    def is_local(self) -> bool:
        return self.app_env == "local"

    @property
    def session_cookie(self) -> str:
        """The session cookie's name: ``__Host-`` prefixed outside local instances, so
        browsers take it only from this host (Secure, Path=/, no Domain); a sibling
        subdomain cannot plant its own session in a visitor's browser (cookie tossing)."""
        return self.session_cookie_name if self.is_local else f"__Host-{self.session_cookie_name}"

    @property
    def migrates_on_start(self) -> bool:
        return self.is_local if self.auto_migrate is None else self.auto_migrate

    @property
    def seeds_demo_data(self) -> bool:
        return self.is_local if self.demo_data is None else self.demo_data

    @property
    def trusted_origin_list(self) -> list[str]:
        return [origin.rstrip("/").lower() for origin in split_urls(self.trusted_origins)]

    @property
    def writer_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'app.db'}"

    @property
    def reader_urls(self) -> list[str]:
        return split_urls(self.database_url_read)

    @property
    def shard_urls(self) -> list[str]:
        return split_urls(self.database_shard_urls)

    @property
    def model_name(self) -> str:
        if self.embedding_model:
            return self.embedding_model
        return BUNDLED_MODEL if self.is_local else PRODUCTION_MODEL

    @property
    def ai_url(self) -> str:
        """The AI service's base URL without a trailing slash (empty: embed in-process)."""
        return self.ai_service_url.rstrip("/")

    @property
    def sessions_url(self) -> str:
        """Where sessions live: SESSION_REDIS_URL, else REDIS_URL, else in-process."""
        return self.session_redis_url or self.redis_url

    @property
    def broker_url(self) -> str:
        return self.celery_broker_url or self.redis_url

    @property
    def result_backend(self) -> str:
        return self.celery_result_backend or self.redis_url

    @property
    def embeds_inline(self) -> bool:
        if self.embed_mode == "auto":
            return not self.broker_url
        return self.embed_mode == "inline"
