"""The service layer: every conversation with CouchDB goes through here."""
