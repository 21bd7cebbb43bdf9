"""Data the tests read, kept in tests/data/ so a clone needs nothing outside itself."""

import json
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"
CONTRACT = DATA / "couchdb-contract"
HOSTILE = json.loads((DATA / "hostile-names.json").read_text())
