"""All routers, collected in one place."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.routes import auth, careers, employers, health, jobs, match

api_router = APIRouter()
for module in (health, auth, employers, jobs, careers, match):
    api_router.include_router(module.router)
