"""HTTP-level attacks found after issue 11's fixes (header injection class).

Starlette redirected a path with a trailing slash to an absolute URL built from the
request's ``Host`` header: ``GET /api/jobs/`` with ``Host: evil.example`` answered
``307 Location: http://evil.example/api/jobs``. A shared cache in front (the CDN) that
does not key on Host could store that redirect for everyone. The app now answers such
paths 404 instead of redirecting, so nothing in an answer comes from ``Host``.
"""

from __future__ import annotations

import pytest

from tests.app.conftest import Api


@pytest.mark.parametrize("path", ["/api/jobs/", "/api/jobs/1/", "/health/", "/api/careers/"])
def test_no_redirect_is_built_from_the_host_header(api: Api, path: str) -> None:
    answer = api.client.get(path, headers={"host": "evil.example"}, follow_redirects=False)
    assert answer.status_code == 404
    assert "location" not in answer.headers
    assert "evil.example" not in answer.text
