"""who_has_access: who can reach a database and why, from _security, the readable users and the viewer."""

from browser.couch.security import who_has_access
from browser.couch.session import UserContext
from browser.couch.users import User

SECURITY = {"admins": {"names": ["boss"], "roles": ["team-admins"]},
            "members": {"names": ["carol", "ghost"], "roles": ["team", "_admin"]}}
TEAM_ADMIN = UserContext(name="ann", roles=("team-admins",))


def reasons(row):
    return [(g.section, g.via, g.role) for g in row.grants]


def test_without_the_user_list_every_name_granted_and_the_viewer_are_listed():
    report = who_has_access(SECURITY, None, None, TEAM_ADMIN)
    rows = {row.name: row for row in report.rows}
    assert sorted(rows) == ["ann", "boss", "carol", "ghost"]
    assert reasons(rows["ann"]) == [("admins", "role", "team-admins")] and rows["ann"].roles == ("team-admins",)
    assert reasons(rows["boss"]) == [("admins", "name", "")] and rows["boss"].roles is None
    assert reasons(rows["carol"]) == [("members", "name", "")]
    assert report.unresolved_roles == (("admins", "team-admins"), ("members", "team"))
    assert not report.users_readable and report.unknown_names == ()


def test_with_the_user_list_roles_resolve_to_people_and_names_that_are_no_user_are_named():
    users = [User("boss", (), "1-a"), User("carol", ("team",), "1-b"), User("dave", ("team",), "1-c"),
             User("eve", (), "1-d")]
    report = who_has_access(SECURITY, users, ["root"], UserContext(name="root", roles=("_admin",)))
    rows = {row.name: row for row in report.rows}
    assert sorted(rows) == ["boss", "carol", "dave", "root"]
    assert reasons(rows["carol"]) == [("members", "name", ""), ("members", "role", "team")]
    assert reasons(rows["root"])[0] == ("admins", "server admin", "")
    assert report.unresolved_roles == () and report.unknown_names == ("ghost",)


def test_a_public_database_lists_no_one_for_being_public_alone():
    report = who_has_access({}, [User("eve", (), "1-d")], None, UserContext(name="eve", roles=()))
    assert report.rows == ()
