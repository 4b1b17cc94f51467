"""Which fleets install and prepare all-mpnet-base-v2 at boot, and which run the web service.

A fleet that embeds in-process without the model answers match with 503; a fleet that
embeds through the AI service must not spend its boot (and disk) on it.
"""

from __future__ import annotations

import dataclasses
import json

import pytest

from infra.render.userdata import extract_files, needs_model, render_userdata
from tests.infra.factories import context

MODEL_STEP = '"$VENV/bin/python" "$GM/bin/gm-boot" install-model "$GM/src"\n'
BOOT_JSON = "/etc/green-matchers/boot.json"


@pytest.mark.parametrize(
    ("role", "phase", "service", "embeds"),
    [
        ("api", 1, None, True),  # phases 1-3: api and worker embed in-process
        ("api", 2, None, True),
        ("worker", 2, None, True),
        ("api", 3, None, True),
        ("worker", 3, None, True),
        ("api", 4, None, False),  # phase 4: web and worker embed through the AI service
        ("worker", 4, None, False),
        ("service", 4, "matching", False),
        ("service", 4, "ai-ml", True),  # the AI service holds the model
        ("service", 4, "auth", False),
        ("service", 4, "analytics", False),
    ],
)
def test_the_model_step_is_there_for_the_fleets_that_embed_in_process(
    role: str, phase: int, service: str | None, embeds: bool
) -> None:
    ctx = context(role, phase, service)
    script = render_userdata(ctx)
    assert needs_model(ctx) is embeds
    assert (MODEL_STEP in script) is embeds
    if embeds:
        # after the app (and its `ai` extra) is installed, before any unit starts
        assert script.index('pip" install -q') < script.index(MODEL_STEP)
        assert script.index(MODEL_STEP) < script.index("systemctl enable --now")
        assert "ai" in script.split('"$GM/src[', 1)[1].split("]", 1)[0].split(",")


def test_a_fleet_that_embeds_prepares_the_model_itself_without_the_ai_services_url() -> None:
    """Should phase 4 ever leave the worker without the AI service, it falls back to the model."""
    worker = context("worker", 4, None)
    assert not needs_model(worker)
    assert needs_model(dataclasses.replace(worker, ai_service_url="", ai_service_auth=""))


@pytest.mark.parametrize("phase", [1, 2, 3, 4])
def test_the_api_fleet_runs_web_once_services_are_split_off(phase: int) -> None:
    script = render_userdata(context("api", phase, None))
    config = json.loads(extract_files(script)[BOOT_JSON])
    assert config["service_name"] == ("web" if phase == 4 else "")
    assert ("(web)" in script.splitlines()[1]) is (phase == 4)


def test_the_phase_4_worker_calls_the_ai_service_and_has_no_model_step() -> None:
    ctx = context("worker", 4, None)
    script = render_userdata(ctx)
    config = json.loads(extract_files(script)[BOOT_JSON])
    assert config["ai_service"] == {"url": ctx.ai_service_url, "auth": "aws_iam"}
    assert config["service_name"] == ""
    assert "install-model" not in script


@pytest.mark.parametrize(
    ("role", "phase", "service"),
    [("api", 2, "web"), ("api", 4, "matching"), ("worker", 4, "web"), ("service", 4, None)],
)
def test_service_names_only_where_the_fleet_runs_one(
    role: str, phase: int, service: str | None
) -> None:
    ctx = context(role, phase, None if role != "service" else "auth")
    with pytest.raises(ValueError, match="service_name"):
        render_userdata(dataclasses.replace(ctx, service_name=service))
