from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from app.core.settings import BUNDLED_MODEL, PRODUCTION_MODEL, Settings


def test_embedded_default_needs_no_environment(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert settings.writer_url == f"sqlite:///{tmp_path / 'app.db'}"
    assert settings.reader_urls == [] and settings.shard_urls == []
    assert settings.model_name == BUNDLED_MODEL
    assert settings.embeds_inline and settings.migrates_on_start and settings.seeds_demo_data
    assert (settings.db_pool_size, settings.db_max_overflow) == (20, 40)
    assert (settings.db_pool_timeout, settings.db_pool_recycle) == (3, 3600)
    assert settings.metrics_token == "" and settings.sessions_url == ""


def test_comma_separated_urls_are_split() -> None:
    settings = Settings(
        database_url_read=" mysql://a/x, ,mysql://b/x ", database_shard_urls="m://0,m://1,m://2"
    )
    assert settings.reader_urls == ["mysql://a/x", "mysql://b/x"]
    assert len(settings.shard_urls) == 3


def test_production_refuses_the_default_session_secret() -> None:
    settings = Settings(app_env="production", database_url="mysql+pymysql://u@h/db")
    with pytest.raises(ValueError, match="SESSION_SECRET"):
        settings.check_session_secret()
    ok = Settings(app_env="production", database_url="m://h/db", session_secret="s" * 32)
    ok.check_session_secret()


def test_production_needs_a_database_except_on_the_ai_service() -> None:
    with pytest.raises(ValidationError, match="DATABASE_URL"):
        Settings(app_env="production", service_name="matching")
    assert Settings(app_env="production", service_name="ai-ml").database_url == ""


def test_production_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SESSION_SECRET", "x" * 40)
    monkeypatch.setenv("DATABASE_URL", "mysql+pymysql://u@h/db")
    monkeypatch.setenv("REDIS_URL", "redis://cache:6379/0")
    settings = Settings()
    assert settings.model_name == PRODUCTION_MODEL
    assert not settings.seeds_demo_data and not settings.migrates_on_start
    assert not settings.embeds_inline and settings.broker_url == "redis://cache:6379/0"


def test_sessions_get_their_own_redis_or_fall_back_to_redis_url() -> None:
    shared = Settings(redis_url="redis://cache:6379/0")
    assert shared.sessions_url == "redis://cache:6379/0"
    apart = Settings(redis_url="redis://cache:6379/0", session_redis_url=" redis://s:6379/0 ")
    assert apart.sessions_url == "redis://s:6379/0"


def test_a_short_metrics_token_is_refused() -> None:
    with pytest.raises(ValidationError, match="METRICS_TOKEN"):
        Settings(metrics_token="short")
    assert Settings(metrics_token="t" * 32).metrics_token == "t" * 32


def test_embedding_runtime_is_onnx_unless_torch_is_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().embedding_runtime == "onnx"
    monkeypatch.setenv("EMBEDDING_RUNTIME", "torch")
    assert Settings().embedding_runtime == "torch"
    monkeypatch.setenv("EMBEDDING_RUNTIME", "gpu")
    with pytest.raises(ValidationError, match="'onnx' or 'torch'"):
        Settings()
