"""In a real browser: log in and out, create, open and delete a database, the 401→login→back flow,
htmx paging with Back, and no Content-Security-Policy violations."""

import re
import uuid

from django.conf import settings
from playwright.sync_api import expect

from tests.conftest import ADMINS_ONLY, RUN_ID


def test_an_admin_logs_in_sees_their_name_and_roles_and_logs_out(browser_page, personas):
    admin = personas["admin"]
    page = browser_page.page
    browser_page.open("/login/")
    page.get_by_label("Username").fill(admin.name)
    page.get_by_label("Password").fill(admin.password)
    page.get_by_role("button", name="Log in").click()
    who = page.get_by_test_id("who")
    expect(who.locator("strong")).to_have_text(admin.name)
    expect(who.locator(".role")).to_have_text(["_admin"])
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.get_by_role("heading", name="Log in to CouchDB")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
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
    expect(page.get_by_label("Password")).to_have_value("")
    expect(page.get_by_test_id("who")).to_have_count(0)


def test_the_login_form_works_from_the_keyboard_alone(browser_page, personas):
    member = personas["member"]
    browser_page.open("/login/")
    page = browser_page.page
    expect(page.get_by_label("Username")).to_be_focused()  # autofocus: no click needed
    page.keyboard.type(member.name)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(member.password)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("who").locator("strong")).to_have_text(member.name)


def test_an_admin_creates_finds_opens_and_deletes_team_orders(admin_page, couch_server, drop_database_afterwards):
    # Like team/orders, with the run's id so a real server's team/orders is never touched.
    asked = f"team{RUN_ID}/orders"
    drop_database_afterwards(asked)
    drop_database_afterwards(asked.replace("/", ""))  # pouchdb-server drops "/" from names
    page = admin_page.page
    create = page.get_by_role("region", name="Create a database")
    create.get_by_label("Database name").fill(asked)
    create.get_by_role("button", name="Create database").click()
    kept = page.get_by_role("heading", level=1).inner_text()
    if couch_server.is_apache_couchdb:
        assert kept == asked
        expect(page.get_by_role("status")).to_contain_text(f"Database “{asked}” created.")
    else:
        assert kept == asked.replace("/", "")
        expect(page.get_by_role("status")).to_contain_text(f"created the database as “{kept}”, not “{asked}”")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Databases").click()
    page.get_by_label("Name starts with").fill("team" + RUN_ID)
    expect(page).to_have_url(re.compile(rf"prefix=team{RUN_ID}"))
    row = page.locator(f'tr[data-db="{kept}"]')
    expect(page.locator("tr[data-db]")).to_have_count(1)
    expect(row.get_by_role("cell").first).to_have_text("0")  # the Documents column
    row.get_by_role("link", name=kept).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(kept)

    page.get_by_role("link", name="Delete this database…").click()
    page.get_by_label("Type the database name to confirm").fill(kept)
    page.get_by_role("button", name="Delete database").click()
    expect(page.get_by_role("status")).to_contain_text(f"Database “{kept}” deleted.")
    page.get_by_label("Name starts with").fill("team" + RUN_ID)
    expect(page.get_by_text(f"No database name starts with “team{RUN_ID}”.")).to_be_visible()
    assert couch_server.admin_http().get(couch_server.url + kept.replace("/", "%2F"), timeout=10).status_code == 404


def test_an_expired_session_goes_to_login_and_comes_back_to_the_same_page(browser_page, personas, make_database):
    db = make_database(security=ADMINS_ONLY)
    admin = personas["admin"]
    page = browser_page.page
    browser_page.log_in(admin)
    browser_page.open(f"/db/{db}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(db)
    # What CouchDB's session expiry amounts to here: the dashboard's session (and the AuthSession in it) is gone.
    browser_page.context.clear_cookies(name=settings.SESSION_COOKIE_NAME)
    page.reload()
    expect(page).to_have_url(re.compile(rf"/login/\?next=%2Fdb%2F{db}%2F$"))
    page.get_by_label("Username").fill(admin.name)
    page.get_by_label("Password").fill(admin.password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(rf"/db/{db}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(db)


def test_database_pages_follow_next_and_previous_links_and_back_shows_a_full_page(admin_page, make_database):
    prefix = f"ca-{RUN_ID}-pages-{uuid.uuid4().hex[:4]}-"
    names = sorted(make_database(f"{prefix}{i:02d}") for i in range(25))
    page = admin_page.page
    rows = page.locator("tr[data-db]")
    expect(page.get_by_label("Per page")).to_have_value("20")
    page.get_by_label("Name starts with").fill(prefix)
    expect(page).to_have_url(re.compile(r"prefix="))
    expect(rows).to_have_count(20)
    expect(rows.first).to_have_attribute("data-db", names[0])

    next_link = page.get_by_role("link", name="Next →")
    expect(next_link).to_have_attribute("rel", "next")
    next_link.click()
    expect(rows).to_have_count(5)
    expect(rows.first).to_have_attribute("data-db", names[20])
    expect(page).to_have_url(re.compile(r"start="))
    expect(page.get_by_role("link", name="Next →")).to_have_count(0)

    previous_link = page.get_by_role("link", name="← Previous")
    expect(previous_link).to_have_attribute("rel", "prev")
    previous_link.click()
    expect(rows).to_have_count(20)
    expect(rows.first).to_have_attribute("data-db", names[0])
    expect(rows.last).to_have_attribute("data-db", names[19])

    # Without htmx's snapshot, Back asks the server again: it must answer the whole page, not the fragment.
    page.evaluate("() => sessionStorage.removeItem('htmx-history-cache')")
    page.go_back()
    expect(page).to_have_url(re.compile(r"start="))
    expect(rows).to_have_count(5)
    brand = page.get_by_role("link", name="couchadmin", exact=True)
    expect(brand).to_be_visible()
    expect(page.get_by_role("heading", name="Databases", level=1)).to_be_visible()
    page.reload()  # the same URL as a plain request: the full page, never a cached fragment
    expect(rows).to_have_count(5)
    expect(brand).to_be_visible()


def test_the_databases_page_breaks_no_content_security_policy(admin_page, make_database):
    db = make_database()
    page = admin_page.page
    admin_page.open("/")
    page.get_by_label("Name starts with").fill(db)  # an htmx swap
    expect(page.locator("tr[data-db]")).to_have_count(1)
    page.get_by_role("link", name=db, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(db)
    errors = [text for kind, text in admin_page.console if kind in ("error", "pageerror")]
    assert not [e for e in errors if "Content Security Policy" in e], errors
    assert not [text for kind, text in admin_page.console if kind == "pageerror"], errors
    assert admin_page.dialogs == []
