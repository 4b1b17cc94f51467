"""The front page in headless Chromium (Debian's package) driven by Playwright."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from tests.app.conftest import PASSWORD, Api, unique_email
from tests.browser import CHROMIUM, CHROMIUM_ARGS, need_chromium


@pytest.fixture(scope="module")
def base_url(embedded: Api) -> Iterator[str]:
    """Serve the session's embedded app over real HTTP on a free loopback port."""
    config = uvicorn.Config(
        embedded.client.app, host="127.0.0.1", port=0, lifespan="off", log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120  # a bound on "never": ends once uvicorn has started
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=5)


def test_search_match_register_and_apply_in_a_browser(base_url: str) -> None:
    need_chromium()
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(base_url + "/")
            expect(page.get_by_test_id("search-summary")).to_contain_text("of ")
            assert page.locator("#search-results li").count() == 10

            page.select_option("#search-sdg", "6")
            page.click("#search-form button")
            expect(page.locator("#search-results li .sdg").first).to_contain_text("SDG 6")

            page.fill("#match-text", "I would like to repair wind turbines")
            page.click("#match-form button")
            first = page.locator("#match-results li strong").first
            # another test of the session may have posted a better match: any wind job will do
            expect(first).to_contain_text(re.compile("wind", re.IGNORECASE))

            page.fill("#login-email", unique_email("browser"))
            page.fill("#login-password", PASSWORD)
            page.click("#register-button")
            expect(page.get_by_test_id("whoami")).to_contain_text("candidate")

            button = page.locator("#match-results li button.apply").first
            button.click()
            expect(button).to_have_text("Applied")
            expect(page.get_by_test_id("status")).to_contain_text("Applied to")
            assert errors == []
        finally:
            browser.close()
