"""What a page answers a server that lacks what it needs (browser/capabilities.py): 501 and the flavour's sentence."""

from html import unescape

from browser.couch.flavour import PouchDBServer

# The heading of templates/browser/lacking.html.
LACKING_HEADING = "Not on this server"


def assert_lacking(response, capability):
    """The response is the one page for a missing capability, naming what pouchdb-server lacks."""
    page = unescape(response.content.decode())
    assert response.status_code == 501, page[:500]
    assert 'data-testid="server-lacks"' in page and PouchDBServer.LACKING[capability] in page
