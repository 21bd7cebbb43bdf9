"""Real CouchDB copies that have not caught up, on any server.

On a cluster CouchDB answers _all_docs and _changes from one copy of each shard, and a copy may not yet hold
a write CouchDB has acknowledged; when CouchDB stored a write on fewer copies than it asks for (202), even a
quorum read may miss it. Which copy a read meets is up to the cluster, so a test cannot make it happen at will.
These proxies make it happen, with real databases only:

- LaggingCopy answers the one-copy reads of the databases a test freezes (GET /{db}/_all_docs without keys,
  GET or POST /{db}/_changes) from a second real database holding the first as it was when frozen; with
  `quorum_lags` its keyed _all_docs (a quorum read of given documents) too. Everything else, reads of one
  document and every write included, goes to the real database.
- FewCopies asks CouchDB to store the dashboard's document writes on one copy more than the database has
  (w=), so CouchDB stores them and answers 202 Accepted, as it does when nodes are down.
"""

from urllib.parse import quote, urlsplit

from tests.support.slow_couchdb import SlowCouchDB


class LaggingCopy(SlowCouchDB):
    def __init__(self, couch_server):
        super().__init__(couch_server.url)
        self.couch_server = couch_server
        self.frozen = {}  # the real database's quoted name -> the quoted name of its lagging copy
        self.quorum_lags = False

    def freeze(self, db):
        """Copy `db` as it is now (every leaf and deletion, with its history) into its lagging copy, and answer
        the one-copy reads of `db` from there from now on."""
        http, url = self.couch_server.admin_http(), self.couch_server.url
        copy = f"{db}-lagging"
        http.put(url + quote(copy, safe=""), timeout=10).raise_for_status()
        # The same readers: CouchDB 3 makes a new database admin-only.
        security = http.get(f"{url}{quote(db, safe='')}/_security", timeout=10).json()
        http.put(f"{url}{quote(copy, safe='')}/_security", json=security, timeout=10).raise_for_status()
        ids = [row["id"] for row in http.get(f"{url}{quote(db, safe='')}/_changes", params={"style": "all_docs"},
                                              timeout=30).json()["results"]]
        docs = []
        for docid in ids:
            leaves = http.get(f"{url}{quote(db, safe='')}/{quote(docid, safe='')}", timeout=10,
                              params={"open_revs": "all", "revs": "true", "attachments": "true"}).json()
            docs += [leaf["ok"] for leaf in leaves if "ok" in leaf]
        if docs:
            http.post(f"{url}{quote(copy, safe='')}/_bulk_docs", json={"docs": docs, "new_edits": False},
                      timeout=30).raise_for_status()
        self.frozen[quote(db, safe="")] = quote(copy, safe="")
        return copy

    def drop(self):
        http = self.couch_server.admin_http()
        for copy in self.frozen.values():
            http.delete(self.couch_server.url + copy, timeout=10)

    def rewrite(self, method, path, body):
        parts = urlsplit(path)
        segments = parts.path.strip("/").split("/")
        if len(segments) != 2 or segments[0] not in self.frozen:
            return path, body
        one_copy = segments[1] == "_changes" or (segments[1] == "_all_docs" and not (method == "POST" or
                                                                                       "keys=" in parts.query))
        quorum = segments[1] == "_all_docs" and method == "POST" and self.quorum_lags
        if not (one_copy or quorum):
            return path, body
        lagging = f"/{self.frozen[segments[0]]}/{segments[1]}"
        return lagging + (f"?{parts.query}" if parts.query else ""), body


class FewCopies(SlowCouchDB):
    def __init__(self, couch_server):
        super().__init__(couch_server.url)
        self.copies_asked = max(couch_server.cluster_nodes, 1) + 1

    def rewrite(self, method, path, body):
        parts = urlsplit(path)
        segments = parts.path.strip("/").split("/")
        writes_documents = (method in ("PUT", "DELETE") and len(segments) >= 2 and not segments[1].startswith("_")
                            or method == "POST" and segments[-1] == "_bulk_docs")
        if not writes_documents:
            return path, body
        return f"{path}{'&' if parts.query else '?'}w={self.copies_asked}", body

