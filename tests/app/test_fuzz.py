"""Schemathesis over the OpenAPI schema: no generated input may yield a 500."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

from tests.app.conftest import Api

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is a dev dependency")

EXAMPLES_PER_OPERATION = 15  # per operation and mode (valid, invalid)


def operations(api: Api) -> Iterator[tuple[str, st.SearchStrategy[object]]]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", api.client.app)
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
            yield operation.label, operation.as_strategy(generation_mode=mode)


@pytest.mark.parametrize("role", ["anonymous", "candidate", "employer"])
def test_no_input_yields_a_server_error(embedded: Api, role: str) -> None:
    cookie = ""
    if role != "anonymous":
        client, _ = embedded.login_as(
            role, **({"employer_name": "Fuzz Co"} if role == "employer" else {})
        )
        cookie = f"gm_session={client.cookies['gm_session']}"
    failures: list[str] = []
    statuses: list[int] = []
    for _label, strategy in operations(embedded):

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def run(case: object) -> None:
            headers = {"Cookie": cookie} if cookie else {}
            response = case.call(headers=headers)  # type: ignore[attr-defined]
            statuses.append(response.status_code)
            if response.status_code >= 500:
                failures.append(f"{case!r}: {response.status_code} {response.text[:200]}")
            assert response.status_code < 500

        try:
            run()
        except Unsatisfiable:  # no invalid input exists (an operation without parameters)
            continue
    assert failures == []
    assert len(statuses) >= 100 and 422 in statuses and any(200 <= s < 300 for s in statuses)
