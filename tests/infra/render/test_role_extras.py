"""Instances install only their role's extras; only those that embed get torch's CPU index.

Phase 4: only the AI service embeds in-process (``ai``); web and matching search the vector
indexes (``index``: faiss, no torch); worker, auth and analytics need neither.
"""

from __future__ import annotations

import dataclasses

import pytest

from infra.render.examples import example_context
from infra.render.userdata import extras_for, render_userdata


@pytest.mark.parametrize(
    ("role", "phase", "service", "extras"),
    [
        ("api", 1, None, "app,ai"),
        ("api", 3, None, "app,ai"),
        ("worker", 2, None, "app,ai"),
        ("api", 4, "web", "app,index"),
        ("worker", 4, None, "app"),
        ("service", 4, "matching", "app,index"),
        ("service", 4, "ai-ml", "app,ai"),
        ("service", 4, "auth", "app"),
        ("service", 4, "analytics", "app"),
    ],
)
def test_the_user_data_installs_the_roles_extras(
    role: str, phase: int, service: str | None, extras: str
) -> None:
    script = render_userdata(example_context(role, phase, service))  # type: ignore[arg-type]
    install = [line for line in script.splitlines() if '"$GM/src' in line and "pip" in line]
    assert len(install) == 1
    assert install[0].endswith(f'"$GM/src[{extras}]"')
    assert ("download.pytorch.org/whl/cpu" in install[0]) == ("ai" in extras)


def test_only_fleets_that_embed_in_process_install_ai() -> None:
    matching = example_context("service", 4, "matching")
    assert matching.ai_service_url and "ai" not in extras_for(matching)
    # Without the AI service's URL matching embeds itself, so it needs the model.
    alone = dataclasses.replace(matching, ai_service_url="", ai_service_auth="")
    assert extras_for(alone) == ("app", "ai")
    assert extras_for(example_context("service", 4, "auth")) == ("app",)
