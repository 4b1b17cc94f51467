"""Which embeddings the AI service makes (``/api/embeddings/*`` goes to it, like ``/api/ai/*``)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request

from app.api.routes.ai import settings_of
from app.schemas.ai import ModelOut
from app.services.text_encoders import local_encoder

router = APIRouter(prefix="/api/embeddings", tags=["ai"])


@router.get("/model")
async def model(request: Request) -> ModelOut:
    """The model this service embeds with and its dimension: callers check it is theirs
    (vectors are stored per model name)."""
    embedder = await asyncio.to_thread(local_encoder, settings_of(request))
    return ModelOut(model=embedder.name, dim=embedder.dim)
