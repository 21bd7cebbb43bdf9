"""Maintenance and progress: _compact, _compact/{ddoc}, _view_cleanup, _active_tasks."""

from browser.couch.errors import Unauthorized


def active_tasks(client, db=None):
    """GET /_active_tasks — running tasks (of one database); None when this person may not see them."""
    try:
        tasks = client.get_json("_active_tasks")
    except Unauthorized:
        return None  # only server admins may list tasks
    if db is None:
        return tasks
    return [t for t in tasks if _task_database(t) == db]


def _task_database(task):
    # Tasks name shards ("shards/00000000-7fffffff/db.1234") or the database itself.
    name = str(task.get("database") or "")
    if name.startswith("shards/"):
        name = name.split("/", 2)[2].rsplit(".", 1)[0]
    return name


def compact_database(client, db):
    """POST /{db}/_compact."""
    client.post_json(db, "_compact", body={})


def compact_views(client, db, ddoc_id):
    """POST /{db}/_compact/{ddoc} — compacts that design document's view indexes."""
    client.post_json(db, "_compact", ddoc_id, body={})


def view_cleanup(client, db):
    """POST /{db}/_view_cleanup — removes index files no design document uses any more."""
    client.post_json(db, "_view_cleanup", body={})
