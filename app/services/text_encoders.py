"""Where a service's vectors come from: the AI service (``AI_SERVICE_URL``) or the model
loaded in this process. Both have the same small interface, ``TextEncoder``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import numpy as np
import numpy.typing as npt

from app.core.settings import Settings

if TYPE_CHECKING:
    import httpx

    from app.services.ai_client import AiClient


class TextEncoder(Protocol):
    """What matching and the embedding updates need of a model."""

    @property
    def name(self) -> str: ...
    @property
    def dim(self) -> int: ...
    def encode(self, texts: list[str]) -> npt.NDArray[np.float32]: ...
    def encode_one(self, text: str) -> npt.NDArray[np.float32]: ...


class AiServiceConfigError(ValueError):
    """AI_SERVICE_URL / AI_SERVICE_AUTH cannot be used as set."""


def ai_auth(settings: Settings) -> httpx.Auth | None:
    """The request signer for ``AI_SERVICE_AUTH``: none, or SigV4 for VPC Lattice (aws_iam)."""
    if settings.ai_service_auth == "none":
        return None
    if not settings.aws_region:
        raise AiServiceConfigError(
            "AI_SERVICE_AUTH=aws_iam needs AWS_REGION (the region of the Lattice service)"
        )
    try:
        from app.services.lattice_auth import lattice_auth
    except ImportError:
        raise AiServiceConfigError(
            "AI_SERVICE_AUTH=aws_iam needs app/services/lattice_auth.py (SigV4 signing for "
            "VPC Lattice), which this build does not have; use AI_SERVICE_AUTH=none"
        ) from None
    auth: httpx.Auth = lattice_auth(settings.aws_region)
    return auth


def ai_client(settings: Settings) -> AiClient | None:
    """The AI service's client when ``AI_SERVICE_URL`` is set, else None (embed in-process)."""
    if not settings.ai_url:
        return None
    from app.services.ai_client import AiClient

    return AiClient(
        settings.ai_url,
        model_name=settings.model_name,
        timeout=settings.ai_service_timeout_seconds,
        bulk_timeout=settings.ai_service_bulk_timeout_seconds,
        auth=ai_auth(settings),
        cool_down=settings.dependency_retry_seconds,
        max_texts=settings.ai_max_texts,
        max_text_chars=settings.ai_max_text_chars,
    )


def local_encoder(settings: Settings) -> TextEncoder:
    """The model in this process (loaded on first use). Every in-process use goes through
    here, so how the model runs (``EMBEDDING_RUNTIME``: onnx or torch, validated by the
    settings) is chosen in one place."""
    from app.services.embeddings import get_embedder

    return get_embedder(settings.model_name, settings.embedding_runtime)
