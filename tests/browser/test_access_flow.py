"""In a real browser: a team admin grants access, then the new member logs in and opens the database."""

import uuid

from playwright.sync_api import expect

from tests.conftest import RUN_ID, Persona


def test_a_team_admin_grants_access_and_the_new_member_opens_the_database(chromium, dashboard_url, personas,
                                                                           make_database, couch_server):
    from tests.browser.conftest import Page

    colleague = Persona(f"ca-{RUN_ID}-colleague-{uuid.uuid4().hex[:4]}", uuid.uuid4().hex)
    http = couch_server.admin_http()
    http.put(f"{couch_server.url}_users/org.couchdb.user:{colleague.name}",
             json={"name": colleague.name, "password": colleague.password, "roles": [], "type": "user"}
             ).raise_for_status()
    db = make_database(security={"admins": {"names": [personas["dbadmin"].name], "roles": []},
                                 "members": {"names": [], "roles": ["_admin"]}})
    try:
        admin_context = chromium.new_context()
        team_admin = Page(admin_context, dashboard_url)
        team_admin.log_in(personas["dbadmin"])
        team_admin.open(f"/db/{db}/permissions/")
        page = team_admin.page
        page.get_by_label("Section").select_option("members")
        page.get_by_label("By").select_option("names")
        page.get_by_label("Name or role").fill(colleague.name)
        page.get_by_role("button", name="Add").click()
        expect(page.get_by_test_id("members-names")).to_contain_text(colleague.name)
        # CouchDB 3 hides _users from a team admin: the names granted are still listed, the team admin first.
        page.get_by_role("link", name="Who has access", exact=True).click()
        table = page.get_by_test_id("access-table")
        expect(table.locator(f'tr[data-user="{colleague.name}"]')).to_contain_text("member by name")
        expect(table.locator(f'tr[data-user="{personas["dbadmin"].name}"]')).to_contain_text("admin by name")
        expect(page.get_by_text("Nobody")).to_have_count(0)
        admin_context.close()

        member_context = chromium.new_context()
        member = Page(member_context, dashboard_url)
        member.log_in(colleague)
        if member.page.get_by_label("Database name").count():
            # CouchDB 3 lets only server admins list databases: the member opens it by name.
            member.page.get_by_label("Database name").fill(db)
            member.page.get_by_role("button", name="Open").click()
        else:
            # pouchdb-server lists every database to everyone.
            member.page.get_by_label("Name starts with").fill(db)
            member.page.get_by_role("link", name=db, exact=True).click()
        expect(member.page.get_by_role("heading", level=1)).to_have_text(db)
        member_context.close()
    finally:
        rev = http.get(f"{couch_server.url}_users/org.couchdb.user:{colleague.name}").json()["_rev"]
        http.delete(f"{couch_server.url}_users/org.couchdb.user:{colleague.name}", params={"rev": rev})
