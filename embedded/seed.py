"""A small demo database for `make run`: documents, a view, a Mango index and an attachment."""

import base64
import json

from requests import Session

DEMO_DB = "demo"
CITIES = ["Lisbon", "Oslo", "Nairobi", "Osaka", "Quito", "Perth"]
PRODUCTS = ["chair", "table", "lamp", "sofa", "shelf", "desk"]


def demo_documents():
    docs = []
    for i in range(1, 31):
        docs.append({
            "_id": f"order-{i:03d}",
            "type": "order",
            "city": CITIES[i % len(CITIES)],
            "product": PRODUCTS[(i * 7) % len(PRODUCTS)],
            "quantity": (i * 3) % 7 + 1,
            "price": round(19.5 + (i * 13) % 90, 2),
            "paid": i % 3 != 0,
            "customer": {"name": f"Customer {i}", "tags": ["retail"] if i % 2 else ["wholesale", "priority"]},
        })
    for name in CITIES:
        docs.append({"_id": f"store-{name.lower()}", "type": "store", "city": name, "open": True})
    docs.append({
        "_id": "_design/orders",
        "language": "javascript",
        "views": {
            "by_city": {
                "map": "function (doc) { if (doc.type === 'order') { emit(doc.city, doc.quantity); } }",
                "reduce": "_sum",
            },
            "by_product_city": {
                "map": "function (doc) { if (doc.type === 'order') { emit([doc.product, doc.city], 1); } }",
                "reduce": "_count",
            },
        },
    })
    return docs


def seed_demo(base_url, admin_name, admin_password):
    """Create the demo database once; a database that already exists is left as it is."""
    http = Session()
    http.auth = (admin_name, admin_password)
    http.headers["Accept"] = "application/json"
    db_url = base_url.rstrip("/") + "/" + DEMO_DB
    if http.head(db_url, timeout=10).status_code == 200:
        return False
    http.put(db_url, timeout=10).raise_for_status()
    # As CouchDB 3 would make it (pouchdb-server makes new databases public): server admins only.
    http.put(db_url + "/_security", json={"members": {"roles": ["_admin"]}, "admins": {"roles": ["_admin"]}},
             timeout=10).raise_for_status()
    http.post(db_url + "/_bulk_docs", json={"docs": demo_documents()}, timeout=30).raise_for_status()
    http.post(db_url + "/_index", json={"index": {"fields": ["type", "city"]}, "name": "type-city",
                                        "ddoc": "mango-type-city"}, timeout=30).raise_for_status()
    readme = "This document carries a small text attachment, to show how attachments look.\n"
    doc = {"_id": "welcome", "type": "note", "title": "Welcome to couchadmin",
           "_attachments": {"readme.txt": {"content_type": "text/plain",
                                           "data": _base64(readme)}}}
    http.put(db_url + "/welcome", data=json.dumps(doc), headers={"Content-Type": "application/json"},
             timeout=10).raise_for_status()
    return True


def _base64(text):
    return base64.b64encode(text.encode()).decode()
