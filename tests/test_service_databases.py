"""The service layer's database functions, against the real server."""

import uuid

import pytest

from browser.couch.client import CouchClient
from browser.couch.databases import (
    create_database,
    database_exists,
    database_info,
    database_name_problem,
    database_summaries,
    delete_database,
    list_databases,
)
from browser.couch.errors import NotFound, PreconditionFailed
from browser.couch.session import login
from tests.conftest import RUN_ID


@pytest.fixture
def admin_couch(personas):
    client = CouchClient()
    login(client, personas["admin"].name, personas["admin"].password)
    return client


@pytest.fixture
def twelve_databases(make_database):
    prefix = f"ca-{RUN_ID}-s{uuid.uuid4().hex[:6]}-"
    return prefix, sorted(make_database(f"{prefix}{i:02d}") for i in range(12))


def test_it_pages_all_dbs_by_key_without_fetching_everything(admin_couch, twelve_databases):
    prefix, names = twelve_databases
    first = list_databases(admin_couch, prefix=prefix, limit=5)
    assert list(first.names) == names[:5]
    assert first.next_start == names[5] and first.prev_before is None
    second = list_databases(admin_couch, prefix=prefix, start=first.next_start, limit=5)
    assert list(second.names) == names[5:10]
    assert second.prev_before == names[5]
    last = list_databases(admin_couch, prefix=prefix, start=second.next_start, limit=5)
    assert list(last.names) == names[10:] and last.next_start is None


def test_it_pages_backwards_from_a_name(admin_couch, twelve_databases):
    prefix, names = twelve_databases
    page = list_databases(admin_couch, prefix=prefix, before=names[10], limit=5)
    assert list(page.names) == names[5:10]
    assert page.next_start == names[10] and page.prev_before == names[5]
    first = list_databases(admin_couch, prefix=prefix, before=names[3], limit=5)
    assert list(first.names) == names[:3] and first.prev_before is None


def test_it_fetches_details_for_a_page_in_one_go(admin_couch, twelve_databases, couch_server):
    prefix, names = twelve_databases
    couch_server.admin_http().put(f"{couch_server.url}{names[0]}/d", json={"x": 1}).raise_for_status()
    summaries = database_summaries(admin_couch, names[:3])
    assert [s.name for s in summaries] == names[:3]
    assert summaries[0].doc_count == 1 and summaries[1].doc_count == 0
    assert not any(s.problem for s in summaries)


def test_a_missing_database_in_a_page_gets_a_problem_not_an_error(admin_couch, twelve_databases):
    prefix, names = twelve_databases
    summaries = database_summaries(admin_couch, [names[0], f"{prefix}zz-missing"])
    assert summaries[0].problem == ""
    assert summaries[1].problem


def test_it_creates_reads_checks_and_deletes_a_database(admin_couch, drop_database_afterwards):
    name = f"ca-{RUN_ID}-c{uuid.uuid4().hex[:6]}"
    drop_database_afterwards(name)
    assert create_database(admin_couch, name) == name
    assert database_exists(admin_couch, name)
    assert database_info(admin_couch, name).doc_count == 0
    with pytest.raises(PreconditionFailed):
        create_database(admin_couch, name)
    delete_database(admin_couch, name)
    assert not database_exists(admin_couch, name)
    with pytest.raises(NotFound):
        database_info(admin_couch, name)


def test_it_answers_the_name_the_server_kept(admin_couch, couch_server, drop_database_afterwards):
    name = f"ca-{RUN_ID}-k{uuid.uuid4().hex[:6]}/sub"
    drop_database_afterwards(name)
    drop_database_afterwards(name.replace("/", ""))
    kept = create_database(admin_couch, name)
    assert kept == (name if couch_server.is_apache_couchdb else name.replace("/", ""))


@pytest.mark.couchdb3
def test_it_creates_a_partitioned_database_with_shards(admin_couch, drop_database_afterwards):
    name = f"ca-{RUN_ID}-part{uuid.uuid4().hex[:6]}"
    drop_database_afterwards(name)
    create_database(admin_couch, name, partitioned=True, shards_q=1, replicas_n=1)
    info = database_info(admin_couch, name)
    assert info.partitioned is True
    assert info.shards_q == 1 and info.replicas_n == 1


@pytest.mark.couchdb3
def test_couchdb_refuses_all_dbs_to_a_logged_in_non_admin(personas):
    from browser.couch.errors import Unauthorized

    client = CouchClient()
    login(client, personas["member"].name, personas["member"].password)
    with pytest.raises(Unauthorized):
        list_databases(client)


@pytest.mark.parametrize("name, ok", [
    ("plain", True), ("team/orders", True), ("money$(usd)+eur-gbp_", True), ("_users", True),
    ("Upper", False), ("1digit", False), ("with space", False), ("", False), ("a" * 239, False),
    ("ünï", False), ("_private", False),
])
def test_it_checks_database_names_against_couchdb_rules(name, ok):
    assert (database_name_problem(name) is None) is ok


def test_a_new_database_is_for_server_admins_only_as_couchdb_3_makes_it(admin_couch, couch_server,
                                                                       drop_database_afterwards):
    name = f"ca-{RUN_ID}-sec{uuid.uuid4().hex[:6]}"
    drop_database_afterwards(name)
    create_database(admin_couch, name)
    security = couch_server.admin_http().get(f"{couch_server.url}{name}/_security").json()
    assert security["members"]["roles"] == ["_admin"] and security["admins"]["roles"] == ["_admin"]
