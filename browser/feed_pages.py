"""What each newest-first page of a feed (a database's changes, its deleted documents, the server's database
updates) has shown, remembered in the person's session.

CouchDB reads `descending=true` from the newest row whatever `since` says, and merges the feeds of the shards
in no fixed order: counting rows down from the top does not find the same rows twice, so a page found by
counting can skip rows and repeat others (a quarter of them on a database of 8 shards). The next page is the
newest rows that the pages above it have not shown (couch/changes.newest with `shown`), which needs to know
them. A page whose pages above are not remembered (a link opened in another session, or paged deeper than
SHOWN_MOST rows) is found by counting, as before.
"""

SESSION_KEY = "feed_pages"
KEPT_FEEDS = 3
# Rows remembered for one feed: paging further back than this counts rows instead.
SHOWN_MOST = 1000


def shown_above(request, feed, top, skip, size):
    """The keys shown on the pages above the page `skip` rows below the newest of `feed` read at sequence `top`
    (none above the first page); None when they are not all remembered."""
    if not top:
        return []
    index, uneven = divmod(skip, size)
    pages = _pages_of(request, feed, top)
    if uneven or pages is None or len(pages) < index:
        return None
    return {key for page in pages[:index] for key in page}


def remember(request, feed, top, skip, size, keys, older=True):
    """Remember what the page `skip` rows below the newest showed (the pages below it are read again); nothing
    when there is no older page to read (the session is not written for nothing)."""
    index, uneven = divmod(skip, size)
    pages = _pages_of(request, feed, top) or []
    if not older or uneven or len(pages) < index or (len(pages) > index and pages[index] == list(keys)):
        return
    pages = [*pages[:index], list(keys)]
    if sum(len(page) for page in pages) > SHOWN_MOST:
        return
    others = [entry for entry in _stored(request) if entry[0] != feed]  # one paging of a feed at a time
    request.session[SESSION_KEY] = [[feed, top, pages], *others[:KEPT_FEEDS - 1]]


def _pages_of(request, feed, top):
    return next((entry[2] for entry in _stored(request) if entry[:2] == [feed, top]), None)


def _stored(request):
    """The remembered feeds, most recent first; anything malformed counts as nothing (a session holds JSON)."""
    stored = request.session.get(SESSION_KEY)
    if not isinstance(stored, list):
        return []
    return [entry for entry in stored if isinstance(entry, list) and len(entry) == 3 and isinstance(entry[2], list)
            and all(isinstance(page, list) for page in entry[2])]
