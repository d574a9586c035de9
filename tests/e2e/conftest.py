"""Browser tests: Debian's Chromium driven by the pinned Playwright package against pytest-django's live_server.

Playwright's browser download is never used (`playwright install` cannot work here): the browser is the system
``chromium`` (``apt-get install chromium fonts-noto-core fonts-liberation``; ``scripts/test.sh`` installs it).
Without it, or without Playwright's driver, the tests skip on a laptop and FAIL when CI=true.

Each key page is saved to ``test-artifacts/screenshots/<name>.png``; the user guides reuse these pictures.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

from ..conftest import skip_or_fail

SCREENSHOTS = Path(os.environ.get("THIDUA_ARTIFACTS_DIR", Path(settings.BASE_DIR) / "test-artifacts")) / "screenshots"
PASSWORD = "mat-khau-thu-nghiem-1"  # what tests/factories.py gives every user
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="package")
def browser():
    """One headless Chromium for the browser tests of this package.

    Playwright's sync API keeps an event loop running in the main thread while it is started, and Django's ORM
    refuses to run beside a running loop (SynchronousOnlyOperation), so DJANGO_ALLOW_ASYNC_UNSAFE is set for as
    long as the browser lives (the test thread only ever calls the ORM synchronously), then put back.
    """
    executable = shutil.which("chromium")
    if not executable:
        skip_or_fail("Debian's Chromium is not installed (apt-get install chromium): browser tests cannot run")
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        skip_or_fail(f"the playwright package is missing ({exc}): run `bash scripts/test.sh`")

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        try:
            playwright = sync_playwright().start()
        except Exception as exc:  # the driver (a node binary shipped in the wheel) cannot start
            skip_or_fail(f"Playwright's driver cannot start: {exc}")
        try:
            chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        except PlaywrightError as exc:
            playwright.stop()
            skip_or_fail(f"Chromium ({executable}) does not start under Playwright: {exc}")
        yield chromium
        chromium.close()
        playwright.stop()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_page(browser, live_server):
    """Open a page in a fresh browser context (its own cookies: one context = one signed-in person)."""
    contexts = []

    def make(viewport: dict | None = None):
        context = browser.new_context(
            base_url=live_server.url, viewport=viewport or DESKTOP, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh"
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """A desktop-sized page, signed in as nobody yet."""
    return new_page()


def login(page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the login form, as a person would, and wait for the home page."""
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def screenshot(page, name: str) -> Path:
    """Save the whole page to test-artifacts/screenshots/<name>.png (for the user guides)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
