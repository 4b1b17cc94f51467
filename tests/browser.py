"""Headless Chromium (Debian's package, never a downloaded browser) driven by Playwright,
and the front page's whole flow as a person clicks it."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import ssl
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def need_chromium() -> None:
    missing = []
    if not shutil.which(CHROMIUM):
        missing.append(f"{CHROMIUM} (apt-get install -y chromium)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        missing.append("the playwright package (pip install playwright)")
    if not missing:
        return
    message = "browser test needs " + " and ".join(missing)
    if os.environ.get("GM_REQUIRE_SERVICES") == "1":
        pytest.fail(message)
    pytest.skip(message)


def trusting(url: str) -> list[str]:
    """Chromium's flags to trust the one key ``url`` serves with (the stack's local CA
    signed it): its SPKI pin, not every certificate error."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    host, port = url.removeprefix("https://").split(":")
    pem = ssl.get_server_certificate((host, int(port)))
    key = x509.load_pem_x509_certificate(pem.encode()).public_key()
    spki = key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    pin = base64.b64encode(hashlib.sha256(spki).digest()).decode()
    return [*CHROMIUM_ARGS, f"--ignore-certificate-errors-spki-list={pin}"]


def front_page_flow(url: str, email: str, password: str, shots: Path | None = None) -> None:
    """Register, sign out, sign in, search, match, apply and sign out at ``url``, each step
    seen on the page; no script error on the way."""
    from playwright.sync_api import expect, sync_playwright

    args = trusting(url) if url.startswith("https://") else CHROMIUM_ARGS
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
        try:
            page = browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(url + "/")
            expect(page.get_by_test_id("search-summary")).to_contain_text("of ")
            whoami = page.get_by_test_id("whoami")

            page.fill("#login-email", email)
            page.fill("#login-password", password)
            page.click("#register-button")
            expect(whoami).to_contain_text("candidate")
            page.click("#logout-button")
            expect(whoami).to_contain_text("Not signed in")
            page.fill("#login-email", email)
            page.fill("#login-password", password)
            page.click("#login-form button[type=submit]")
            expect(whoami).to_contain_text("candidate")

            page.select_option("#search-sdg", "7")
            page.click("#search-form button")
            expect(page.locator("#search-results li .sdg").first).to_contain_text("SDG 7")

            page.fill("#match-text", "I would like to repair wind turbines")
            page.click("#match-form button")
            first = page.locator("#match-results li strong").first
            expect(first).to_contain_text(re.compile(r"\w"), timeout=60_000)  # a first match
            button = page.locator("#match-results li button.apply").first
            button.click()
            expect(button).to_have_text("Applied")
            expect(page.get_by_test_id("status")).to_contain_text("Applied to")

            page.click("#logout-button")
            expect(whoami).to_contain_text("Not signed in")
            if shots is not None:
                page.screenshot(path=str(shots))
            assert errors == []
        finally:
            browser.close()
