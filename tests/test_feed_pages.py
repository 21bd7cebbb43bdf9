"""What the newest-first pages of a feed showed, remembered in the session (browser/feed_pages.py): the next
page leaves those rows out, so that no row is skipped or shown twice however CouchDB merges its shards."""

from browser import feed_pages


def session_request(rf):
    request = rf.get("/")
    request.session = {}
    return request


def test_each_page_leaves_out_what_the_pages_above_it_showed(rf):
    request = session_request(rf)
    assert feed_pages.shown_above(request, "changes a", "", 0, 2) == []  # the first page
    feed_pages.remember(request, "changes a", "9-top", 0, 2, ["x", "y"])
    feed_pages.remember(request, "changes a", "9-top", 2, 2, ["z", "w"])
    assert feed_pages.shown_above(request, "changes a", "9-top", 2, 2) == {"x", "y"}
    assert feed_pages.shown_above(request, "changes a", "9-top", 4, 2) == {"x", "y", "z", "w"}
    # Back on the second page, read again with other rows: the pages below it are read again too.
    feed_pages.remember(request, "changes a", "9-top", 2, 2, ["z", "v"])
    assert feed_pages.shown_above(request, "changes a", "9-top", 4, 2) == {"x", "y", "z", "v"}
    assert feed_pages.shown_above(request, "changes a", "9-top", 6, 2) is None
    feed_pages.remember(request, "changes b", "3-top", 0, 2, ["x"], older=False)  # nothing below: not written
    assert request.session[feed_pages.SESSION_KEY][0][0] == "changes a"


def test_what_is_not_remembered_is_said_so(rf):
    request = session_request(rf)
    feed_pages.remember(request, "changes a", "9-top", 0, 2, ["x", "y"])
    assert feed_pages.shown_above(request, "changes a", "8-other", 2, 2) is None  # another first page
    assert feed_pages.shown_above(request, "changes a", "9-top", 3, 2) is None  # not a page boundary
    assert feed_pages.shown_above(request, "changes b", "9-top", 2, 2) is None
    feed_pages.remember(request, "changes a", "10-newer", 0, 2, ["n", "x"])  # one paging of a feed at a time
    assert feed_pages.shown_above(request, "changes a", "9-top", 2, 2) is None
    request.session[feed_pages.SESSION_KEY] = [["changes a", "10-newer", "garbage"], 7]
    assert feed_pages.shown_above(request, "changes a", "10-newer", 2, 2) is None


def test_a_few_feeds_and_rows_are_kept(rf):
    request = session_request(rf)
    for n in range(feed_pages.KEPT_FEEDS + 1):
        feed_pages.remember(request, f"feed {n}", "1-top", 0, 2, ["x", "y"])
    assert feed_pages.shown_above(request, "feed 0", "1-top", 2, 2) is None
    assert feed_pages.shown_above(request, f"feed {feed_pages.KEPT_FEEDS}", "1-top", 2, 2) == {"x", "y"}
    size = feed_pages.SHOWN_MOST // 2 + 1
    feed_pages.remember(request, "deep", "1-top", 0, size, [f"a{i}" for i in range(size)])
    feed_pages.remember(request, "deep", "1-top", size, size, [f"b{i}" for i in range(size)])
    assert feed_pages.shown_above(request, "deep", "1-top", 2 * size, size) is None  # counted from there on
