"""Replays answers recorded from Apache CouchDB 3.5 (tests/data/couchdb-contract/) as a fake HTTP session,
so the service layer's parsing of CouchDB-only answers is checked without that server."""

import json

from requests.structures import CaseInsensitiveDict

from tests.support.data import CONTRACT


def exchanges(file_name):
    return json.loads((CONTRACT / file_name).read_text())


def exchange(file_name, name_part):
    """The first recorded exchange whose name contains `name_part`."""
    for item in exchanges(file_name):
        if name_part in item["name"]:
            return item
    raise LookupError(f"no exchange named like {name_part!r} in {file_name}")


class RecordedResponse:
    def __init__(self, recorded):
        response = recorded["response"]
        self.status_code = response["status"]
        self.headers = CaseInsensitiveDict(response.get("headers") or {})
        body = response.get("body")
        self.text = response.get("body_raw") or (body if isinstance(body, str) else json.dumps(body))
        self._cookies = [v for k, v in self.headers.items() if k.lower() == "set-cookie"]
        self.raw = self

    def getlist(self, name):
        return self._cookies if name.lower() == "set-cookie" else []

    def json(self):
        return json.loads(self.text)

    def close(self):
        pass


class Replay:
    """A stand-in for requests.Session that answers with recorded exchanges, in order."""

    def __init__(self, *recorded):
        self.queue = list(recorded)
        self.sent = []

    def request(self, method, url, **kwargs):
        self.sent.append((method, url, kwargs))
        return RecordedResponse(self.queue.pop(0))
