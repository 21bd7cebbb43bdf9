"""The embedded CouchDB-compatible server (pouchdb-server) for `make run` and the tests."""
