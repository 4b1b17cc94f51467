"""Schemathesis over the AI and analytics services' own OpenAPI schemas (as each service
publishes it): every generated request, valid or not, gets an answer the schema declares,
with a matching body, and never a 5xx. The rules of test_fuzz.py apply."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable

from app.main import create_app
from tests.app.api.test_fuzz import semantic_only
from tests.app.conftest import embedded_settings

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is a dev dependency")

MODEL = "bundled:all-MiniLM-L6-v2"
EXAMPLES_PER_OPERATION = 25


@pytest.fixture(scope="module", params=["ai", "analytics"])
def service(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    settings_ = embedded_settings(
        tmp_path_factory.mktemp(request.param), embedding_model=MODEL, demo_jobs_per_sdg=1
    )
    with TestClient(create_app(settings_, service=request.param)) as client:
        yield client


def test_every_answer_of_the_service_conforms_to_its_schema(service: TestClient) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", service.app)
    statuses: list[int] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):

            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case: Any) -> None:
                response = case.call()
                statuses.append(response.status_code)
                excluded = []
                if response.status_code == 422 and semantic_only(response):
                    excluded = [schemathesis.checks.positive_data_acceptance]
                case.validate_response(response, excluded_checks=excluded)

            try:
                run()
            except Unsatisfiable:  # no invalid input exists (an operation without parameters)
                continue
    assert statuses and all(status < 500 for status in statuses)
    assert 422 in statuses and any(200 <= s < 300 for s in statuses)
