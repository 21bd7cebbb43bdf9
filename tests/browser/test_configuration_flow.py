"""In a real browser, by keyboard only: a server admin reaches Configuration from the navigation, filters it to
a section of the test's own, opens a key's edit page, is refused a mistyped confirmation with their input
kept, then saves the new value; on pouchdb-server the page says it is read-only and offers no edit."""

from playwright.sync_api import expect

from tests.test_configuration import get_config, nodes_of, put_config, section  # noqa: F401


def open_from_the_navigation(browser_page):
    page = browser_page.page
    browser_page.open("/")
    link = page.get_by_role("navigation", name="Main").get_by_role("link", name="Configuration")
    link.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Configuration")
    return page


def test_an_admin_edits_a_key_with_the_typed_confirmation_by_keyboard(admin_page, couch_server, section):  # noqa: F811
    if not couch_server.is_apache_couchdb:
        page = open_from_the_navigation(admin_page)
        expect(page.get_by_test_id("config-read-only")).to_contain_text("read-only")
        expect(page.get_by_role("link", name="Edit")).to_have_count(0)
        return
    node = nodes_of(couch_server)[-1]  # the node chooser's last option
    put_config(couch_server, node, section, "greeting", "hello")
    page = open_from_the_navigation(admin_page)
    page.get_by_label("Node", exact=True).focus()
    page.keyboard.press("End")  # a single node's view (on a cluster: its last node)
    page.get_by_label("Section or key contains").focus()
    page.keyboard.type(section)
    page.keyboard.press("Enter")
    edit = page.get_by_role("link", name=f"Edit {section} greeting")
    expect(edit).to_be_visible()
    edit.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("greeting")
    expect(page.get_by_test_id("config-current")).to_contain_text("hello")
    expect(page.get_by_label("New value")).to_have_value("hello")  # the edit starts from the current value
    page.get_by_label("New value").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("bonjour")
    page.get_by_label("Type the key name to confirm").focus()
    page.keyboard.type("greetin")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert").filter(has_text="does not match the key name")).to_be_visible()
    expect(page.get_by_label("New value")).to_have_value("bonjour")
    assert get_config(couch_server, node, section, "greeting").json() == "hello"
    confirm = page.get_by_label("Type the key name to confirm")
    confirm.focus()
    page.keyboard.press("End")
    page.keyboard.type("g")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text(f"[{section}] greeting changed on")
    assert get_config(couch_server, node, section, "greeting").json() == "bonjour"
    assert not [m for m in admin_page.console if m[0] == "pageerror" or "Content Security Policy" in m[1]]


def test_a_member_is_told_the_page_is_for_server_admins(browser_page, personas):
    browser_page.log_in(personas["member"])
    page = browser_page.page
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Configuration")).to_have_count(0)
    browser_page.open("/config/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
