"""Every page of the databases flow with the database names of tests/data/hostile-names.json."""


import pytest
from django.urls import reverse

from tests.conftest import RUN_ID
from tests.support.data import HOSTILE

DATABASE_NAMES = HOSTILE["database_names"]


def _kept_name(name, couch_server):
    # pouchdb-server drops "/" from database names; Apache CouchDB keeps them.
    return name if couch_server.is_apache_couchdb else name.replace("/", "")


def _unique(name):
    # A run-specific prefix keeps every character of the hostile name and never touches a real database.
    return f"ca{RUN_ID}{name}"[:238]


@pytest.mark.parametrize("hostile", DATABASE_NAMES)
def test_a_hostile_database_name_works_on_every_page(admin_client, couch_server, hostile, drop_database_afterwards):
    http = couch_server.admin_http()
    name = _unique(hostile)
    kept = _kept_name(name, couch_server)
    drop_database_afterwards(kept)

    created = admin_client.post(reverse("browser:database-create"), {"name": name})
    assert created.status_code == 302
    db_url = reverse("browser:database", kwargs={"db": kept})
    assert created["Location"] == db_url

    page = admin_client.get(db_url)
    assert page.status_code == 200
    assert f"<h1>{kept}</h1>" in page.content.decode()

    listing = admin_client.get("/", {"prefix": kept}).content.decode()
    assert f'<a href="{db_url}">{kept}</a>' in listing

    confirm_url = reverse("browser:database-delete", kwargs={"db": kept})
    assert admin_client.get(confirm_url).status_code == 200
    deleted = admin_client.post(confirm_url, {"confirm_name": kept})
    assert deleted.status_code == 302
    assert http.head(couch_server.url + kept.replace("/", "%2F")).status_code == 404


def test_database_links_encode_the_slash_so_it_survives_wsgi():
    assert reverse("browser:database", kwargs={"db": "team/orders"}) == "/db/team~orders/"
    assert reverse("browser:database", kwargs={"db": "money$(usd)+eur-gbp_"}) == "/db/money$(usd)+eur-gbp_/"


@pytest.mark.parametrize("hostile", DATABASE_NAMES)
def test_opening_a_hostile_name_by_name_goes_to_its_page(admin_client, hostile):
    response = admin_client.get(reverse("browser:database-open"), {"name": hostile})
    assert response.status_code == 302
    assert response["Location"] == reverse("browser:database", kwargs={"db": hostile})
