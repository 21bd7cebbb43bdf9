"""In a real browser: dark mode follows the system, and the toggle's choice is remembered by this browser."""

from playwright.sync_api import expect


def background(page):
    return page.evaluate("getComputedStyle(document.documentElement).backgroundColor")


def test_dark_mode_follows_the_system_and_the_toggle_is_remembered(chromium, dashboard_url, personas):
    from tests.browser.conftest import Page

    context = chromium.new_context(color_scheme="dark")
    visitor = Page(context, dashboard_url)
    try:
        visitor.open("/login/")
        page = visitor.page
        dark = background(page)
        assert dark == "rgb(21, 24, 30)"
        toggle = page.get_by_test_id("theme-toggle")
        expect(toggle).to_contain_text("Theme: system")
        toggle.focus()
        page.keyboard.press("Enter")  # system → dark
        expect(toggle).to_contain_text("Theme: dark")
        page.keyboard.press("Tab")
        page.get_by_test_id("theme-toggle").click()  # dark → light
        expect(page.get_by_test_id("theme-toggle")).to_contain_text("Theme: light")
        assert background(page) == "rgb(251, 251, 253)"
        visitor.log_in(personas["admin"])  # the choice outlives the login, in this browser
        expect(page.get_by_test_id("theme-toggle")).to_contain_text("Theme: light")
        assert page.locator("html").get_attribute("data-theme") == "light"
        assert background(page) == "rgb(251, 251, 253)"
        assert [m for m in visitor.console if m[0] in ("error", "pageerror")] == []
    finally:
        context.close()
    other = chromium.new_context(color_scheme="dark")  # another browser: its own choice (none yet)
    try:
        stranger = Page(other, dashboard_url)
        stranger.open("/login/")
        assert stranger.page.locator("html").get_attribute("data-theme") is None
        assert background(stranger.page) == "rgb(21, 24, 30)"
    finally:
        other.close()
