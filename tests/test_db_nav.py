"""The database pages' navigation (templates/browser/_db_nav.html, links cached per database by
browser/rendering/links.py): every link is the one reverse() writes, for every hostile name and under a
sub-path, escaped in the page."""

import pytest
from django.urls import clear_script_prefix, reverse, set_script_prefix

from browser.rendering.links import DATABASE_PAGES
from tests.support.data import HOSTILE
from tests.support.html_elements import Elements
from tests.support.templates import from_text

NAMES = [*HOSTILE["database_names"], "plain", "team/orders", "a&b", 'q"uote<tag>']


def links(db):
    parser = Elements()
    parser.feed(from_text('{% include "browser/_db_nav.html" %}').render({"db": db}))
    parser.close()
    return [(e["attrs"]["href"], e["text"]) for e in parser.elements if e["tag"] == "a"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("prefix", ["/", "/couchadmin/"])
def test_every_link_is_what_reverse_writes(name, prefix):
    set_script_prefix(prefix)
    try:
        expected = [(reverse(f"browser:{page}", kwargs={"db": name}), label) for page, label in DATABASE_PAGES]
        assert links(name) == expected
        assert links(name) == expected  # and again, from the cache
        assert all(href.startswith(prefix) for href, _ in expected)
    finally:
        clear_script_prefix()
