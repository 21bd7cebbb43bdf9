"""Playwright (sync API) driving Debian's Chromium against pytest-django's live server."""

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.test.testcases import LiveServerThread
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
    """A fresh browser context's page, with what it logged and which dialogs it opened."""

    def __init__(self, context, base_url):
        self.context = context
        self.base_url = base_url.rstrip("/")
        self.page = context.new_page()
        self.page.set_default_timeout(10_000)
        self.console = []
        self.dialogs = []
        self.page.on("console", lambda message: self.console.append((message.type, message.text)))
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
        self.page.get_by_role("button", name="Log in").click()
        self.page.wait_for_load_state()


@pytest.fixture(scope="session")
def dashboard_url(_dashboard_uses_test_server):
    """The dashboard served over HTTP in a thread (pytest-django's live_server wants a SQL database)."""
    thread = LiveServerThread("127.0.0.1", StaticFilesHandler, connections_override={}, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://127.0.0.1:{thread.port}"
    thread.terminate()


@pytest.fixture
def browser_page(chromium, dashboard_url):
    context = chromium.new_context()
    yield Page(context, dashboard_url)
    context.close()


@pytest.fixture
def admin_page(browser_page, personas):
    browser_page.log_in(personas["admin"])
    return browser_page
