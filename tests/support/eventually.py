"""Waiting for a state on a cluster. On Apache CouchDB with several nodes, _all_docs, views, _changes, _find
and open_revs=all read one copy of each shard (or merge a quorum), so a write that CouchDB has acknowledged
may be missing from the next read for a moment; compaction and purges also reach each copy in its own time.
A test that needs the state waits for it with a bounded poll, never a fixed sleep; on one node it holds at once."""

import time


def eventually(read, until=bool, seconds=15, every=0.1):
    """read() again until until(value) holds or `seconds` pass; answers the last value read."""
    deadline = time.monotonic() + seconds
    while True:
        value = read()
        if until(value) or time.monotonic() > deadline:
            return value
        time.sleep(every)
