"""Mango pages by GET (bookmarkable, Next and Previous), the sort hint, and the readable one-click index."""

import re
from html import unescape

import pytest
from django.urls import reverse

from browser.couch.queries import list_indexes, readable_index_name
from tests.test_mango import FRUIT, couch, produce  # noqa: F401  (fixtures)


def page_ids(page):
    return re.findall(r'<tr data-id="([^"]+)"', page)


def link(page, testid):
    found = re.search(rf'<a href="([^"]+)"[^>]*data-testid="{testid}"', page)
    return unescape(found.group(1)) if found else None


def test_a_run_gives_a_get_url_that_pages_next_and_previous_and_reloads_the_same(admin_client, produce):  # noqa: F811
    url = reverse("browser:mango", kwargs={"db": produce})
    form = {"selector": '{"price": {"$gt": 0}}', "limit": "3", "action": "run"}
    first = admin_client.post(url, form)
    page = unescape(first.content.decode())
    assert first.status_code == 200 and len(page_ids(page)) == 3
    assert first["HX-Push-Url"].startswith(url + "?run=1&")
    assert admin_client.get(first["HX-Push-Url"]).status_code == 200
    seen = [page_ids(page)]
    pages = [page]
    while link(pages[-1], "next-page"):
        reply = admin_client.get(url + link(pages[-1], "next-page"))
        assert reply.status_code == 200
        pages.append(unescape(reply.content.decode()))
        seen.append(page_ids(pages[-1]))
    flat = [i for ids in seen for i in ids]
    assert sorted(flat) == sorted(d["_id"] for d in FRUIT) and len(flat) == len(set(flat))
    assert "Page 3:" in pages[2]
    back = admin_client.get(url + link(pages[2], "previous-page"))
    assert page_ids(unescape(back.content.decode())) == seen[1]
    again = admin_client.get(url + link(pages[1], "previous-page"))
    assert page_ids(unescape(again.content.decode())) == seen[0]
    reload = admin_client.get(url + link(pages[1], "results-link"))
    assert page_ids(unescape(reload.content.decode())) == seen[1]


def test_paging_records_the_history_once(admin_client, produce, couch):  # noqa: F811
    from browser.couch import saved_queries

    url = reverse("browser:mango", kwargs={"db": produce})
    page = unescape(admin_client.post(url, {"selector": '{"price": {"$gt": 0}}', "limit": "2",
                                           "action": "run"}).content.decode())
    admin_client.get(url + link(page, "next-page"))
    assert len(saved_queries.load(couch, produce)["history"]) == 1


def test_a_get_never_saves_or_creates_an_index(admin_client, produce, couch):  # noqa: F811
    url = reverse("browser:mango", kwargs={"db": produce})
    reply = admin_client.get(url, {"run": "1", "selector": '{"type": "veg"}', "limit": "5",
                                   "action": "create-index", "name": "x"})
    assert reply.status_code == 200 and len(page_ids(reply.content.decode())) == 3
    assert len(list_indexes(couch, produce)) == 1


def test_bad_paging_values_are_refused_in_words(admin_client, produce):  # noqa: F811
    url = reverse("browser:mango", kwargs={"db": produce})
    for params in ({"bookmark": "x" * 5000}, {"page": "0"}, {"bookmark": "skip:x"}):
        reply = admin_client.get(url, {"run": "1", "selector": "{}", "limit": "5", **params})
        assert reply.status_code == 400, params


@pytest.mark.parametrize("sort, expected", [("price desc", ["m07", "m04", "m06"]), ("name", ["m01", "m02"])])
def test_a_sort_without_index_says_so_with_the_hint_then_the_index_serves_it(admin_client, produce, couch,  # noqa: F811
                                                                             sort, expected):
    url = reverse("browser:mango", kwargs={"db": produce})
    selector = '{"price": {"$gt": 1}}' if sort == "price desc" else '{"name": {"$regex": "^ap"}}'
    form = {"selector": selector, "sort": sort, "limit": "3"}
    refused = admin_client.post(url, {**form, "action": "run"})
    page = unescape(refused.content.decode())
    assert refused.status_code == 400
    assert "No index can serve this sort" in page and "Create this index and run again" in page
    assert selector in page and f'value="{sort}"' in page
    created = admin_client.post(url, {**form, "action": "create-index"}, follow=True)
    page = unescape(created.content.decode())
    assert created.status_code == 200, page[:2000]
    assert page_ids(page) == expected
    name = "by-price-desc" if sort == "price desc" else "by-name"
    assert f"Index “{name}” in _design/couchadmin-{name} created" in page
    assert any(i.name == name and i.ddoc == f"_design/couchadmin-{name}" for i in list_indexes(couch, produce))


def test_the_readable_index_name_never_replaces_a_different_index(admin_client, produce, couch):  # noqa: F811
    from browser.couch.queries import create_index

    create_index(couch, produce, [("type", "desc")], name="by-type", ddoc="couchadmin-by-type")
    url = reverse("browser:mango", kwargs={"db": produce})
    page = unescape(admin_client.post(url, {"selector": '{"type": "veg"}', "limit": "5",
                                            "action": "create-index"}).content.decode())
    assert "Index “by-type-2” in _design/couchadmin-by-type-2 created" in page
    again = unescape(admin_client.post(url, {"selector": '{"type": "veg"}', "limit": "5",
                                             "action": "create-index"}).content.decode())
    assert "“by-type-2”" in again and "already existed" in again
    assert {i.name: i.fields for i in list_indexes(couch, produce)}["by-type"] == (("type", "desc"),)


def test_readable_index_names_are_bounded_words():
    assert readable_index_name([("price", "desc"), ("a.b c", "asc")]) == "by-price-desc-a-b-c"
    assert readable_index_name([("%/?", "asc")]) == "by-field"
    assert len(readable_index_name([("x" * 500, "asc")])) == 60
