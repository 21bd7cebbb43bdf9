"""Playwright (sync API) driving Debian's Chromium against pytest-django's live server."""

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Page:
    """A fresh browser context's page, with what it logged (uncaught errors as "pageerror") and which
    dialogs it opened (each dismissed at once, so none can hang a test)."""

    def __init__(self, context, base_url):
        self.context = context
        self.base_url = base_url.rstrip("/")
        self.page = context.new_page()
        self.page.set_default_timeout(10_000)
        self.console = []
        self.dialogs = []
        self.page.on("console", lambda message: self.console.append((message.type, message.text)))
        self.page.on("pageerror", lambda error: self.console.append(("pageerror", error.message)))
        self.page.on("dialog", self._dismiss)

    def _dismiss(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, path):
        return self.page.goto(self.base_url + path)

    def log_in(self, persona, path="/login/"):
        self.open(path)
        self.page.get_by_label("Username").fill(persona.name)
        self.page.get_by_label("Password").fill(persona.password)
        with self.page.expect_navigation():
            self.page.get_by_role("button", name="Log in").click()


@pytest.fixture
def transactional_db():
    """pytest-django's live_server asks for this to flush SQL tables after each test: the dashboard has none
    (DATABASES is empty; CouchDB is the only store), so there is nothing to set up or flush."""


@pytest.fixture(scope="session")
def dashboard_url(live_server, _dashboard_uses_test_server):
    """The dashboard served by pytest-django's live server, already pointed at the test CouchDB."""
    return live_server.url


@pytest.fixture
def browser_page(chromium, dashboard_url):
    context = chromium.new_context()
    yield Page(context, dashboard_url)
    context.close()


@pytest.fixture
def page(browser_page):
    """The Playwright page of a fresh context; its console messages and dialogs are on `browser_page`."""
    return browser_page.page


@pytest.fixture
def admin_page(browser_page, personas):
    browser_page.log_in(personas["admin"])
    return browser_page
