"""Browser tests in real Chromium: Debian's /usr/bin/chromium driven by Playwright.

No browser is downloaded: Playwright launches the system Chromium. Where it is
missing the tests are skipped with the reason, unless REQUIRE_BROWSER is set (CI),
where a missing browser is a failure. The server is pytest-django's live_server,
on a transactional database so that it sees the rows the test creates.

pytest-playwright starts Playwright once per session; its sync API leaves an event
loop running in the main thread, which makes Django refuse ORM calls there. Here
Playwright lives only as long as this package's tests, and Django's async-safety
check is relaxed only meanwhile, so the rest of the suite (and `check --deploy`
run from it) never sees DJANGO_ALLOW_ASYNC_UNSAFE.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests import factories

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="package", autouse=True)
def _chromium_present():
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium package to run the browser tests"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture(scope="package")
def playwright():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        started = sync_playwright().start()
        yield started
        started.stop()


@pytest.fixture(scope="package")
def browser_type(playwright, browser_name):
    return getattr(playwright, browser_name or "chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="package")
def launch_browser(browser_type_launch_args, browser_type):
    def launch(**kwargs):
        return browser_type.launch(**{**browser_type_launch_args, **kwargs})

    return launch


@pytest.fixture(scope="package")
def browser(launch_browser):
    launched = launch_browser()
    yield launched
    launched.close()


@pytest.fixture
def producer(dfw):
    """The browser stories' producer, signing in as "producer" (the consumer is the standing cast's)."""
    return factories.user(factories.account(dfw, name="Producer Inc"), username="producer")
