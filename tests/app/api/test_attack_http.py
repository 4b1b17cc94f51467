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


FORM_TYPES = ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]


@pytest.mark.parametrize("content_type", FORM_TYPES)
def test_an_empty_form_post_changes_nothing(api: Api, content_type: str) -> None:
    """An HTML form with no fields posts an empty body with a form content type. Bodies
    were checked for JSON only when not empty, so such a form (from a browser that sends
    neither Origin nor Sec-Fetch-Site) could apply to a job or log out for its visitor.
    The content types forms send are refused on every state change, body or not."""
    candidate, _ = api.login_as("candidate")
    headers = {"content-type": content_type}
    applied = candidate.post("/api/jobs/1/apply", content=b"", headers=headers)
    assert applied.status_code == 415, applied.text
    assert candidate.post("/api/auth/logout", content=b"", headers=headers).status_code == 415
    assert candidate.get("/api/applications").json() == []  # still logged in, nothing applied
    # Without a content type (curl, server-to-server) an empty POST still works.
    assert candidate.post("/api/jobs/1/apply").status_code == 201
