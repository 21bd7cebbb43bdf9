"""The database pages' navigation is written in Python (browser/templatetags/db_nav.py) and cached per
database: byte for byte what the template it replaced wrote, for every hostile name and under a sub-path."""

import pytest
from django.template import engines
from django.urls import clear_script_prefix, set_script_prefix

from tests.support.data import HOSTILE

# The template the tag replaced (templates/browser/_db_nav.html, as it was).
TEMPLATE = """<nav aria-label="Database" class="db-nav">
  <a href="{% url 'browser:database' db=db %}">Documents</a>
  <a href="{% url 'browser:changes' db=db %}">Changes</a>
  <a href="{% url 'browser:mango' db=db %}">Mango query</a>
  <a href="{% url 'browser:indexes' db=db %}">Indexes</a>
  <a href="{% url 'browser:design-list' db=db %}">Design documents &amp; views</a>
  <a href="{% url 'browser:maintenance' db=db %}">Maintenance</a>
  <a href="{% url 'browser:deleted-documents' db=db %}">Deleted documents</a>
  <a href="{% url 'browser:database-limits' db=db %}">Revision limits</a>
  <a href="{% url 'browser:database-shards' db=db %}">Shards</a>
  <a href="{% url 'browser:partitions' db=db %}">Partitions</a>
  <a href="{% url 'browser:export' db=db %}">Export</a>
  <a href="{% url 'browser:import' db=db %}">Import</a>
  <a href="{% url 'browser:permissions' db=db %}">Permissions</a>
  <a href="{% url 'browser:database-access' db=db %}">Who has access</a>
</nav>
"""

NAMES = [*HOSTILE["database_names"], "plain", "team/orders", "a&b", 'q"uote<tag>']


def rendered(text, db):
    return engines["django"].from_string(text).render({"db": db})


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("prefix", ["/", "/couchadmin/"])
def test_the_tag_writes_what_the_template_wrote(name, prefix):
    set_script_prefix(prefix)
    try:
        expected = rendered(TEMPLATE, name)
        assert rendered("{% load db_nav %}{% db_nav db %}", name) == expected
        assert rendered("{% load db_nav %}{% db_nav db %}", name) == expected  # and again, from the cache
    finally:
        clear_script_prefix()
