from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.services import chromium_for_browser_tests

# Playwright's sync API runs an event loop in the test thread; the test's own
# database calls happen outside it, between browser steps.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    chromium = os.environ.get("OPSBOARD_CHROMIUM") or chromium_for_browser_tests()
    if chromium is None:
        advice = (
            "Chromium is missing: install Debian's chromium package (.ci/run does), "
            "or run `.venv/bin/playwright install chromium` where the machine is online"
        )
        if os.environ.get("CI"):
            pytest.fail(advice)
        pytest.skip(advice)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server) -> Iterator[object]:
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="en-GB"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def browser_in(browser, live_server):
    """Opens a page in a new browser context in the given language ("en" or "zh-hans")."""
    contexts = []

    def open_page(language: str):
        context = browser.new_context(
            # axe goes in as a script tag, which the site's CSP refuses (see
            # test_accessibility.py); the pages themselves run no inline script.
            bypass_csp=True,
            base_url=live_server.url,
            viewport={"width": 1280, "height": 900},
            locale="en-GB" if language == "en" else "zh-CN",
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_page
    for context in contexts:
        context.close()
