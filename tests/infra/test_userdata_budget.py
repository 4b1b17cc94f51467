"""The user-data budget measures every fleet the phase has, with and without the model step."""

from __future__ import annotations

import pytest

from infra.render.userdata import needs_model, render_userdata
from infra.settings import SERVICE_NAMES, settings_from_config
from infra.stack_files import settings_for_phase
from infra.userdata_budget import (
    EC2_USER_DATA_LIMIT,
    fleets_of,
    largest_user_data,
    worst_case_context,
)


@pytest.mark.parametrize("phase", [1, 2, 3])
def test_before_phase_4_every_fleet_is_measured_with_the_model_step(phase: int) -> None:
    settings = settings_for_phase(phase)
    for fleet in fleets_of(settings):
        ctx = worst_case_context(settings, *fleet)
        assert ctx.service_name is None and not ctx.ai_service_url
        assert needs_model(ctx)
        assert 'gm-boot" install-model' in render_userdata(ctx)


def test_phase_4_measures_web_worker_and_each_service_with_and_without_the_url() -> None:
    settings = settings_for_phase(4)
    contexts = [worst_case_context(settings, *fleet) for fleet in fleets_of(settings)]
    api, worker, *services = contexts
    assert (api.role, api.service_name, needs_model(api)) == ("api", "web", False)
    assert (worker.role, needs_model(worker)) == ("worker", False)
    assert worker.ai_service_url
    assert {(c.service_name, bool(c.ai_service_url)) for c in services} == {
        (name, url) for name in SERVICE_NAMES for url in (True, False)
    }
    # the AI service (no URL: it is the AI service) is measured with its model step
    assert any(c.service_name == "ai-ml" and needs_model(c) for c in services)
    sizes = [len(render_userdata(c).encode()) for c in contexts]
    assert largest_user_data(settings) == max(sizes)


def test_the_largest_allowed_phase_4_database_still_fits_ec2_user_data() -> None:
    settings = settings_from_config(
        "a-rather-long-stack-name-for-production",
        {
            "aws:region": "us-east-1",
            "green-matchers:phase": 4,
            "green-matchers:database": {"shards": 16, "readReplicas": 15},
        },
    )
    assert largest_user_data(settings) <= EC2_USER_DATA_LIMIT
