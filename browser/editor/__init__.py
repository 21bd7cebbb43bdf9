"""The document editor, below the forms and views that serve it: the edit's state (form rows or JSON text), the
rows, numbers as CouchDB writes them, paths, differences, the three-way merge, the 409 policy and the revision tree.
It reads and writes CouchDB only through browser.couch."""
