"""In a real browser: log in and out, create, open and delete a database, and the 401→login→back flow."""

import re

from playwright.sync_api import expect

from tests.conftest import ADMINS_ONLY


def test_an_admin_logs_in_sees_their_roles_and_logs_out(browser_page, personas):
    browser_page.log_in(personas["admin"])
    page = browser_page.page
    expect(page.get_by_test_id("who")).to_contain_text(personas["admin"].name)
    expect(page.get_by_test_id("who")).to_contain_text("_admin")
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login/$"))
    browser_page.open("/")
    expect(page).to_have_url(re.compile(r"/login/\?next=%2F$"))


def test_a_wrong_password_shows_an_error_and_keeps_the_name(browser_page, personas):
    browser_page.open("/login/")
    page = browser_page.page
    page.get_by_label("Username").fill(personas["member"].name)
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("user name or password is incorrect")
    expect(page.get_by_label("Username")).to_have_value(personas["member"].name)


def test_the_login_form_works_from_the_keyboard(browser_page, personas):
    browser_page.open("/login/")
    page = browser_page.page
    page.keyboard.type(personas["member"].name)  # the user name field has autofocus
    page.keyboard.press("Tab")
    page.keyboard.type(personas["member"].password)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("who")).to_contain_text(personas["member"].name)


def test_an_admin_creates_opens_and_deletes_team_orders(admin_page, couch_server, drop_database_afterwards):
    from tests.conftest import RUN_ID

    name = f"team{RUN_ID}/orders"  # like team/orders, without touching a real database of that name
    drop_database_afterwards(name)
    drop_database_afterwards(name.replace("/", ""))
    page = admin_page.page
    page.get_by_label("Database name").fill(name)
    page.get_by_role("button", name="Create database").click()
    kept = page.get_by_role("heading", level=1).inner_text()
    assert kept == (name if couch_server.is_apache_couchdb else name.replace("/", ""))

    page.get_by_role("link", name="Databases", exact=True).first.click()
    page.get_by_label("Name starts with").fill(kept[:8])
    row = page.locator(f'tr[data-db="{kept}"]')
    expect(row).to_be_visible()
    expect(row).to_contain_text("0")
    row.get_by_role("link", name=kept).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(kept)

    page.get_by_role("link", name="Delete this database…").click()
    page.get_by_label("Type the database name to confirm").fill(kept)
    page.get_by_role("button", name="Delete database").click()
    expect(page.get_by_role("status")).to_contain_text("deleted")
    page.get_by_label("Name starts with").fill(kept[:8])
    expect(page.locator(f'tr[data-db="{kept}"]')).to_have_count(0)


def test_an_expired_session_goes_to_login_and_back(browser_page, personas, make_database):
    db = make_database(security=ADMINS_ONLY)
    browser_page.log_in(personas["admin"])
    page = browser_page.page
    browser_page.open(f"/db/{db}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(db)
    browser_page.context.clear_cookies()
    page.reload()
    expect(page).to_have_url(re.compile(rf"/login/\?next=%2Fdb%2F{db}%2F$"))
    page.get_by_label("Username").fill(personas["admin"].name)
    page.get_by_label("Password").fill(personas["admin"].password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(rf"/db/{db}/$"))


def test_database_pages_follow_next_and_previous_links(admin_page, make_database):
    from tests.conftest import RUN_ID

    prefix = f"ca-{RUN_ID}-web-"
    names = sorted(make_database(f"{prefix}{i:02d}") for i in range(23))
    page = admin_page.page
    page.get_by_label("Name starts with").fill(prefix)
    expect(page.locator("tr[data-db]")).to_have_count(20)
    page.locator('a[rel="next"]').click()
    expect(page.locator("tr[data-db]")).to_have_count(3)
    expect(page).to_have_url(re.compile(r"start="))
    page.locator('a[rel="prev"]').click()
    expect(page.locator("tr[data-db]").first).to_have_attribute("data-db", names[0])
    page.go_back()
    expect(page.locator("tr[data-db]")).to_have_count(3)
    expect(page.get_by_role("link", name="couchadmin")).to_be_visible()


def test_no_content_security_policy_violations(admin_page):
    admin_page.open("/server/")
    admin_page.open("/")
    errors = [text for kind, text in admin_page.console if kind == "error"]
    assert not [e for e in errors if "Content Security Policy" in e], errors
